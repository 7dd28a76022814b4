#!/usr/bin/env bash
# cpack -G DEB makes a package from the install rules: binary, assets and man
# page under /usr, the libraries' packages as dependencies (dpkg-shlibdeps),
# and the unpacked binary finds its assets and makes the ND sheet from
# another folder.  (tools/package.sh makes the release package this way;
# installing it with apt-get is shown in a fresh root, see the README.)
set -euo pipefail
build=$(dirname "$SS_BINARY")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
for t in cpack dpkg-deb dpkg-shlibdeps; do
  command -v "$t" >/dev/null || fail "$t is missing (tools/deps.sh test installs it)"
done

(cd "$tmp" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/pkg") >"$tmp/log" 2>&1 ||
  fail "cpack failed: $(tail -5 "$tmp/log")"
debs=("$tmp"/pkg/statesheet_*.deb)
[ -f "${debs[0]}" ] || fail "no statesheet_*.deb: $(ls "$tmp/pkg")"
deb=${debs[0]}
echo "ok: cpack made ${deb##*/} ($(stat -c %s "$deb") bytes)"

files=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/statesheet ./usr/share/man/man1/statesheet.1 \
         ./usr/share/statesheet/schema/statedata.xsd \
         ./usr/share/statesheet/templates/state-data.xml \
         ./usr/share/statesheet/fonts/StatesheetSans-Bold.ttf ./usr/share/statesheet/icc/sRGB.icc; do
  grep -qx -- "$f" <<<"$files" || fail "the package lacks $f"
done
outside=$(grep -v '^\./usr/' <<<"$files" | grep -vx '\./' || true)
[ -z "$outside" ] || fail "files outside /usr: $outside"
echo "ok: binary, man page and assets under /usr, nothing elsewhere"

depends=$(dpkg-deb -f "$deb" Depends)
for p in libc6 libhpdf-2.3.0 libxml2 libdeflate0 hyphen-en-us; do
  grep -Eq "(^|, )$p( |,|$)" <<<"$depends" || fail "Depends lacks $p: $depends"
done
echo "ok: Depends: $depends"

# The libraries opened with dlopen (src/workbook_dl.c), which dpkg-shlibdeps
# cannot see: a package of the field must hold the library.
# holds FIELD LIB: true when a package named in FIELD has LIB.so.N.
holds() {
  local p
  for p in $(tr ',|' '\n\n' <<<"$1" | sed 's/(.*//' | tr -d ' '); do
    dpkg -L "$p" 2>/dev/null | grep -E "/$2\.so\.[0-9]+$" >/dev/null && return 0
  done
  return 1
}
recommends=$(dpkg-deb -f "$deb" Recommends)
for lib in libzip libxlsxwriter; do
  holds "$depends" "$lib" || fail "Depends names no package with $lib.so: $depends"
done
holds "$recommends" libcurl || fail "Recommends names no package with libcurl.so: $recommends"
echo "ok: libzip and libxlsxwriter depended on, libcurl recommended ($recommends)"

# Unpacked anywhere, the binary finds the package's assets next to it.
dpkg-deb -x "$deb" "$tmp/root"
cp "$SS_SOURCE_DIR/data/ncmec-2023.xml" "$tmp/data.xml"
mkdir "$tmp/elsewhere"
(cd "$tmp/elsewhere" && env -u STATESHEET_ASSETS "$tmp/root/usr/bin/statesheet" -q -s ND -o out ../data.xml) ||
  fail "the packaged binary failed"
[ "$(head -c 5 "$tmp/elsewhere/out/ND-2023.pdf")" = "%PDF-" ] || fail "no ND sheet"
echo "ok: the packaged binary made out/ND-2023.pdf from another folder"
