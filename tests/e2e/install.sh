#!/usr/bin/env bash
# cmake --install puts the binary, its assets and the man page where they
# belong, and the installed binary finds its assets from any directory.
# --help and the man page name the same options.
set -euo pipefail
build=$(dirname "$SS_BINARY")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
bin="$tmp/prefix/bin/statesheet"
[ -x "$bin" ] || fail "no installed binary"
[ -f "$tmp/prefix/share/man/man1/statesheet.1" ] || fail "no man page"
[ -f "$tmp/prefix/share/statesheet/templates/state-data.xml" ] || fail "no template"
[ -f "$tmp/prefix/share/statesheet/fonts/StatesheetSans-Bold.ttf" ] || fail "no font"
echo "ok: installed binary, assets and man page"
# The man page points to the README; the samples are beside it.
doc=$tmp/prefix/share/doc/statesheet
cmp -s "$doc/README.md" "$(dirname "$0")/../../README.md" || fail "no README in $doc"
"$bin" --check -q "$doc/examples/sample-56.xml" || fail "no usable sample data in $doc/examples"
echo "ok: README and sample data in share/doc/statesheet"

# From another directory, without STATESHEET_ASSETS, and with the source
# tree out of reach (a copy of the data in the temporary folder).
cp "$SS_SOURCE_DIR/data/ncmec-2023.xml" "$tmp/data.xml"
(cd "$tmp" && env -u STATESHEET_ASSETS "$bin" -q -o out data.xml) || fail "installed run failed"
[ "$(head -c 5 "$tmp/out/ND-2023.pdf")" = "%PDF-" ] || fail "no sheet"
text=$(pdftotext "$tmp/out/ND-2023.pdf" -)
grep -q "1,333 CyberTipline reports" <<<"$text" || fail "wrong text"
# It really used the installed assets: break them and the run must fail.
printf 'broken' > "$tmp/prefix/share/statesheet/fonts/StatesheetSans-Bold.ttf"
set +e
(cd "$tmp" && env -u STATESHEET_ASSETS "$bin" -q -o out2 data.xml) 2>"$tmp/err"
rc=$?
set -e
[ "$rc" = 70 ] || fail "a damaged installed font gave exit $rc, not 70"
grep -q "damaged" "$tmp/err" || fail "no 'damaged' message: $(cat "$tmp/err")"
echo "ok: the installed binary uses its installed assets"

# --help and the man page agree on the options.
help_opts=$("$bin" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
man_opts=$(sed 's/\\-/-/g' "$tmp/prefix/share/man/man1/statesheet.1" \
           | grep -o -- '--[a-z][a-z-]*' | sort -u)
[ "$help_opts" = "$man_opts" ] || fail "help and man page differ: $(diff <(echo "$help_opts") <(echo "$man_opts"))"
echo "ok: --help and statesheet(1) name the same $(echo "$help_opts" | wc -l) options"
