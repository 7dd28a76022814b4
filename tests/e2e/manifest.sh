#!/bin/bash
# Each run writes a manifest (manifest.h) into its output folder: a CSV a
# mail merge reads, listing every sheet (code, name, year, file, pages,
# bytes, SHA-256, sample flag), the combined file, the SHA-256 of the data
# file and of the template, and the program's version.  Checked against
# the files themselves.
. "$(dirname "$0")/common.sh"
DATA=$SRC/data/samples/sample-56.xml
TPL=$SRC/assets/templates/state-data.xml
ok() { echo "ok   - $*"; }

"$BIN" -q -j 2 -o "$TMP/a" --combined "$TMP/a/all.pdf" "$DATA"
"$BIN" -q -j 1 -o "$TMP/b" --combined "$TMP/a/all.pdf" "$DATA"
m=$TMP/a/manifest-2023-SAMPLE.csv
if [ -f "$m" ]; then ok "sample run wrote manifest-2023-SAMPLE.csv"; else fail "no manifest: $(ls "$TMP/a" | grep -v pdf)"; fi
if cmp -s "$m" "$TMP/b/manifest-2023-SAMPLE.csv"; then
  ok "the manifest is the same with -j 1 and -j 2"
else
  fail "manifests of -j 1 and -j 2 differ"
fi
if python3 "$HERE/manifest.py" "$m" "$TMP/a" "$DATA" "$TPL" 56; then
  ok "every row of the manifest matches its file"
else
  fail "manifest rows do not match the files"
fi

# Slices write their own manifests, never each other's; a real run's
# manifest is not replaced by a sample run's.
"$BIN" -q --shard 2/3 -o "$TMP/s" "$DATA"
if [ -f "$TMP/s/manifest-2023-SAMPLE-2-of-3.csv" ]; then ok "a slice writes manifest-2023-SAMPLE-2-of-3.csv"; else fail "slice manifest missing: $(ls "$TMP/s" | grep -v pdf)"; fi
"$BIN" -q -o "$TMP/r" "$SRC/data/ncmec-2023.xml"
before=$(sha256sum <"$TMP/r/manifest-2023.csv")
"$BIN" -q -o "$TMP/r" "$DATA"
if [ "$(sha256sum <"$TMP/r/manifest-2023.csv")" = "$before" ] && [ -f "$TMP/r/manifest-2023-SAMPLE.csv" ]; then
  ok "a sample run leaves the real run's manifest alone"
else
  fail "the real manifest was replaced"
fi
[ "$fails" -eq 0 ]
