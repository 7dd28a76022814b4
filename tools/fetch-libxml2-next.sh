#!/usr/bin/env bash
# Fetches the libxml2 headers of Debian unstable (newer than this release's)
# into build-libxml2-next/, where the test suite's 'libxml2_next_headers'
# step finds them and compiles every source against them with -Werror.
#   tools/fetch-libxml2-next.sh          fetch (again, if unstable moved on)
# Needs the network and apt; touches nothing of the system's apt state: its
# own sources list, package lists and cache live in a temporary folder.
# Exit status 0 when the headers are in place, 1 when they could not be had.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=build-libxml2-next
suite=${LIBXML2_NEXT_SUITE:-unstable}
mirror=${LIBXML2_NEXT_MIRROR:-http://deb.debian.org/debian}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/deb"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
signed=""
[ -f "$keyring" ] && signed="[signed-by=$keyring] "
echo "deb ${signed}$mirror $suite main" >"$work/sources.list"
opts=(-q -o Dir::Etc::sourcelist="$work/sources.list" -o Dir::Etc::sourceparts=-
      -o Dir::State::lists="$work/lists" -o Dir::Cache="$work/cache"
      -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
      -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root
      -o Acquire::Languages=none
      -o Acquire::Check-Valid-Until=false -o Acquire::Check-Date=false)
# Valid-Until is not checked: an archive mirror or snapshot whose unstable
# Release has expired still serves signed headers, and these are only
# compiled against, never installed.

if ! apt-get "${opts[@]}" update >"$work/log" 2>&1; then
  sed 's/^/  /' "$work/log" >&2
  echo "fetch-libxml2-next: cannot read Debian $suite's package list" >&2
  exit 1
fi
if ! (cd "$work/deb" && apt-get "${opts[@]}" download libxml2-dev) >>"$work/log" 2>&1; then
  sed 's/^/  /' "$work/log" >&2
  echo "fetch-libxml2-next: cannot download libxml2-dev from Debian $suite" >&2
  exit 1
fi
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
dpkg-deb -x "$work"/deb/libxml2-dev_*.deb "$dest.tmp"
[ -f "$dest.tmp/usr/include/libxml2/libxml/xmlversion.h" ] || {
  echo "fetch-libxml2-next: the package holds no usr/include/libxml2/libxml/xmlversion.h" >&2
  exit 1
}
rm -rf "$dest"
mv "$dest.tmp" "$dest"
basename "$work"/deb/libxml2-dev_*.deb >"$dest/PACKAGE"
echo "fetch-libxml2-next: $(cat "$dest/PACKAGE") -> $dest/usr/include/libxml2"
