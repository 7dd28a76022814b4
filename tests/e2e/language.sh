#!/bin/bash
# Names in the sheet's language (issue 24, point 5): a template in Spanish
# prints name-es and label-es (tests/fixtures/e2e/nd-2023-es.xml: the 2023
# North Dakota record with its Spanish names); data without them prints
# the English ones with a warning naming the state, an error with
# --strict; the English template is not touched by translations; export
# and import carry them.
. "$(dirname "$0")/common.sh"
ok() { echo "ok   - $*"; }
ES=$SRC/assets/templates/state-data.es.xml
fix=$SRC/tests/fixtures/e2e/nd-2023-es.xml
text() { pdftotext -layout "$1" - | tr -s ' \n' ' '; }

"$BIN" -q -t "$ES" -o "$TMP/es" "$fix" 2>"$TMP/err"
t=$(text "$TMP/es/ND-2023.pdf")
if [[ $t == *"Datos de Dakota del Norte"* && $t == *"Otros casos de niños desaparecidos 6"* \
      && $t != *"North Dakota"* && ! -s $TMP/err ]]; then
  ok "Spanish template: name-es and label-es on the sheet, no warning"
else
  fail "Spanish template with translations: $(cat "$TMP/err") / ${t:0:200}"
fi

"$BIN" -q -t "$ES" -o "$TMP/en" "$SRC/data/ncmec-2023.xml" 2>"$TMP/err"
t=$(text "$TMP/en/ND-2023.pdf")
if [[ $t == *"Datos de North Dakota"* ]] && [ "$(wc -l <"$TMP/err")" -eq 1 ] \
   && grep -q "ncmec-2023.xml:[0-9]*: warning: state ND: the template is in Spanish, but the state has no name-es, and 3 rows have no label-es" "$TMP/err"; then
  ok "without translations: the English names, and one warning naming the state"
else
  fail "Spanish template without translations: $(cat "$TMP/err")"
fi
"$BIN" export -q "$SRC/data/ncmec-2023.xml" -o "$TMP/nd.xlsx"
"$BIN" -q -t "$ES" -o "$TMP/enx" "$TMP/nd.xlsx" 2>"$TMP/err"
if grep -q "nd.xlsx: warning: state ND: .*add a name-es column, and ' \[es: ...\]' after each row label" "$TMP/err"; then
  ok "from a workbook, the warning says which columns to add"
else
  fail "workbook without translations: $(cat "$TMP/err")"
fi
st=0
"$BIN" -q --strict -t "$ES" -o "$TMP/strict" "$SRC/data/ncmec-2023.xml" 2>"$TMP/err" || st=$?
if [ $st -eq 65 ] && grep -q "error: state ND: the template is in Spanish" "$TMP/err" && [ ! -e "$TMP/strict/ND-2023.pdf" ]; then
  ok "--strict: missing translations are an error (65), nothing written"
else
  fail "--strict without translations: exit $st, $(cat "$TMP/err")"
fi

"$BIN" -q -o "$TMP/a" "$SRC/data/ncmec-2023.xml"
"$BIN" -q -o "$TMP/b" "$fix"
if cmp -s "$TMP/a/ND-2023.pdf" "$TMP/b/ND-2023.pdf"; then
  ok "English template: translations change nothing"
else
  fail "English sheet changed by name-es/label-es"
fi
# The translations travel through export and import: name-es is a column,
# a row label's translation is in its header ("KEY: LABEL [es: ETIQUETA]").
"$BIN" export -q "$fix" -o "$TMP/es.xlsx"
"$BIN" export -q "$fix" -o "$TMP/es.csv"
head -1 "$TMP/es.csv" | grep -q ',name-es,' || fail "no name-es column in the export"
bad=""
for f in es.xlsx es.csv; do
  rm -rf "$TMP/rt"
  "$BIN" -q -t "$ES" -o "$TMP/rt" "$TMP/$f" 2>"$TMP/err" || bad="$bad $f refused: $(head -2 "$TMP/err")"
  cmp -s "$TMP/rt/ND-2023.pdf" "$TMP/es/ND-2023.pdf" || bad="$bad $f: sheet differs"
done
if [ -z "$bad" ]; then
  ok "export (.xlsx, CSV) carries name-es and label-es: the same Spanish sheet"
else
  fail "translations through export:$bad"
fi
[ "$fails" -eq 0 ]
