#!/usr/bin/env bash
# Compiles every source with -Werror against a newer libxml2's headers (not
# linked): libxml2 2.12 changed the structured-error callback's type, and a
# release with a newer libxml2 must still build us.  The headers come from
# tools/fetch-libxml2-next.sh (Debian unstable's libxml2-dev); without them
# this step is skipped (exit 77).  No network here.
#   libxml2_next.sh CC SOURCE_DIR GENERATED_DIR HPDF_INCLUDE_DIR
set -euo pipefail
cc=$1 src=$2 gen=$3 hpdf=$4
inc=$src/build-libxml2-next/usr/include/libxml2
if [ ! -f "$inc/libxml/xmlversion.h" ]; then
  echo "skipped: no newer libxml2 headers in $inc (run tools/fetch-libxml2-next.sh)"
  exit 77
fi
version=$(sed -n 's/^#define LIBXML_DOTTED_VERSION "\(.*\)"/\1/p' "$inc/libxml/xmlversion.h")
echo "compiling src/*.c with $cc against libxml2 $version headers"
# The flags of statesheet_warnings() in CMakeLists.txt, with -Werror.
"$cc" -std=c11 -fsyntax-only -Werror -Wall -Wextra -Wpedantic -Wshadow \
  -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -D_POSIX_C_SOURCE=200809L \
  -isystem "$inc" -I"$src/src" -I"$gen" -I"$hpdf" $(pkg-config --cflags harfbuzz) "$src"/src/*.c
echo "ok: every source builds against libxml2 $version"
