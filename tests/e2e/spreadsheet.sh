#!/bin/bash
# The spreadsheet round trip ends in the same sheets: a data file exported,
# opened and saved by LibreOffice Calc (tests/fixtures/csv/calc/, made by
# make.sh there: CSV -> .xlsx -> CSV), imported, and made into sheets gives
# PDFs byte-identical to those made from the original file.
. "$(dirname "$0")/common.sh"
ok() { echo "ok   - $*"; }

for pair in ncmec-2023:data/ncmec-2023.xml sample-56:data/samples/sample-56.xml; do
  name=${pair%%:*}
  data=$SRC/${pair#*:}
  csv=$SRC/tests/fixtures/csv/calc/$name.csv
  if ! "$BIN" import "$csv" -o "$TMP/$name.xml" >/dev/null 2>"$TMP/err"; then
    fail "$name: import refused Calc's file: $(head -3 "$TMP/err")"
    continue
  fi
  "$BIN" -q -j 2 -o "$TMP/$name-orig" "$data"
  "$BIN" -q -j 2 -o "$TMP/$name-back" "$TMP/$name.xml"
  n=$(ls "$TMP/$name-orig"/*.pdf | wc -l)
  if [ "$n" -eq 0 ]; then
    fail "$name: no sheets made"
  elif diff -r -x 'manifest-*.csv' -x '.manifest-*.lock' "$TMP/$name-orig" "$TMP/$name-back" >"$TMP/diff" 2>&1; then
    ok "$name: $n sheets from Calc's CSV are byte-identical to those from the data file"
  else
    fail "$name: sheets differ: $(head -3 "$TMP/diff")"
  fi
done

# Export -> import -> export gives the first CSV again, byte for byte.
"$BIN" export "$SRC/data/samples/sample-56.xml" -o "$TMP/a.csv" >/dev/null
"$BIN" import "$TMP/a.csv" -o "$TMP/a.xml" >/dev/null
"$BIN" export "$TMP/a.xml" -o "$TMP/b.csv" >/dev/null
if cmp -s "$TMP/a.csv" "$TMP/b.csv"; then
  ok "export of the imported file is the first export"
else
  fail "export -> import -> export changed the CSV"
fi
[ "$fails" -eq 0 ]
