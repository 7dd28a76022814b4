#!/bin/bash
# Workbooks are the data file (issue 24): .xlsx and .ods read by content,
# made by the program (export -o FILE.xlsx), saved again by LibreOffice Calc
# (headless soffice, a private profile, time-bound) and edited as a user
# would by openpyxl (workbook.py).
#   - Round trips: every valid data file in data/ and tests/fixtures,
#     XML -> .xlsx -> sheets, and the .xlsx -> Calc -> .ods, .xlsx and both
#     CSV dialects -> sheets, all byte-identical to the XML's sheets.
#   - A user's mistakes in cells are named FILE:ROW:COL with the cell in A1
#     form; formulas count by their saved result; a hidden first sheet and
#     a merged title row are passed over; bad workbooks get one line each (exit 65).
#   - Memory: importing 10,000 rows costs no more than LIMIT_MB over 1,000.
. "$(dirname "$0")/common.sh"
ok() { echo "ok   - $*"; }
LIMIT_MB=${LIMIT_MB:-10}
WB="$PY $HERE/workbook.py"
command -v soffice >/dev/null || { fail "soffice is missing: tools/deps.sh test installs libreoffice-calc-nogui"; exit 1; }
# Calc, with its own profile so that it neither reads nor changes the
# user's, and bounded: a hung soffice fails the test instead of CI.
calc() { timeout 300 soffice -env:UserInstallation="file://$TMP/lo-profile" --headless \
           --convert-to "$@" >"$TMP/soffice.log" 2>&1; }

# ---- round trips -------------------------------------------------------------
mkdir -p "$TMP/x" "$TMP/calc"
files=()
for f in "$SRC"/data/*.xml "$SRC"/data/samples/*.xml $(find "$SRC/tests/fixtures" -name '*.xml' | sort); do
  case $f in */templates/*) continue ;; esac
  "$BIN" --check -q "$f" >/dev/null 2>&1 || continue
  files+=("$f")
done
[ ${#files[@]} -ge 5 ] || fail "only ${#files[@]} valid data files found"
i=0
for f in "${files[@]}"; do
  i=$((i + 1))
  "$BIN" export -q "$f" -o "$TMP/x/f$i.xlsx"
done
(cd "$TMP/calc" && calc ods --outdir "$TMP/calc" "$TMP"/x/*.xlsx) || fail "soffice -> ods: $(tail -2 "$TMP/soffice.log")"
mkdir -p "$TMP/calc/xlsx" "$TMP/calc/csv" "$TMP/calc/semi"
calc xlsx --outdir "$TMP/calc/xlsx" "$TMP"/calc/*.ods || fail "soffice -> xlsx"
# Commas, UTF-8 (Calc's plain 'csv' uses the system's character set).
calc 'csv:Text - txt - csv (StarCalc):44,34,76,1' --outdir "$TMP/calc/csv" "$TMP"/calc/*.ods || fail "soffice -> csv"
# Semicolons, UTF-8 (filter options: separator 59, quote 34, charset 76).
calc 'csv:Text - txt - csv (StarCalc):59,34,76,1' --outdir "$TMP/calc/semi" "$TMP"/calc/*.ods \
  || fail "soffice -> semicolon csv"
i=0
for f in "${files[@]}"; do
  i=$((i + 1))
  name=${f#"$SRC"/}
  "$BIN" -q -j 2 -o "$TMP/want$i" "$f"
  bad=""
  for form in x/f$i.xlsx calc/f$i.ods calc/xlsx/f$i.xlsx calc/csv/f$i.csv calc/semi/f$i.csv; do
    rm -rf "$TMP/got"
    if ! "$BIN" -q -j 2 -o "$TMP/got" "$TMP/$form" 2>"$TMP/err"; then
      bad="$bad $form refused: $(head -2 "$TMP/err");"
    elif ! diff -r -x 'manifest-*.csv' -x '.manifest-*.lock' "$TMP/want$i" "$TMP/got" >/dev/null; then
      bad="$bad $form: sheets differ;"
    fi
  done
  n=$(ls "$TMP/want$i"/*.pdf | wc -l)
  if [ -z "$bad" ] && [ "$n" -gt 0 ]; then
    ok "$name: $n sheets byte-identical from .xlsx, Calc's .ods, .xlsx and both CSVs"
  else
    fail "$name:$bad"
  fi
done

# ---- what openpyxl reads in the exported workbook ----------------------------
nd=$TMP/x/nd.xlsx
"$BIN" export -q "$SRC/data/ncmec-2023.xml" -o "$nd"
$PY - "$nd" >"$TMP/look" <<'PY' || fail "openpyxl: $(cat "$TMP/look")"
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
head = [c.value for c in ws[1]]
assert ws.freeze_panes == "A2", ws.freeze_panes
assert head[:3] == ["code", "name", "year"], head
nat = [c.value for c in ws[2]]
assert nat[0] == "national" and nat[1] == "(national figures)", nat
assert all(c.value is None for c in ws[3]), "no empty row after the national one"
nd = [c.value for c in ws[4]]
assert nd[0] == "ND" and nd[1] == "North Dakota" and nd[2] == 2023, nd
col = head.index(next(h for h in head if h.startswith("cvip.submissions")))
assert nd[col] == 28 and isinstance(nd[col], int), nd[col]
v = [d for d in ws.data_validations.dataValidation if str(d.sqref).startswith(
    openpyxl.utils.get_column_letter(col + 1) + "2")]
assert v and v[0].type == "whole" and v[0].formula1 == "0", v
assert "reviewed" in v[0].prompt, v[0].prompt
assert ws.column_dimensions["B"].width > 20
print("ok")
PY
[ "$(cat "$TMP/look")" = ok ] && ok "openpyxl reads the export: numbers, frozen header, national row apart, whole-number checks with input messages"

# ---- a user's mistakes -------------------------------------------------------
$WB edit "$nd" "$TMP/edit.xlsx"
if "$BIN" import "$TMP/edit.xlsx" >/dev/null 2>"$TMP/err"; then
  fail "import took a workbook with text, decimals, a negative, a date, an uncalculated formula"
else
  read -r L R C < <($WB where "$nd" cvip.submissions)
  want="$TMP/edit.xlsx:$R:$C: error: cell $L$R (cvip.submissions"
  if grep -qF "$want" "$TMP/err" && grep -q "holds text, not a number" "$TMP/err" \
     && grep -q "has decimals" "$TMP/err" && grep -q "cannot be negative" "$TMP/err" \
     && grep -q "a date or a time" "$TMP/err" && grep -q "formula has no saved result" "$TMP/err" \
     && [ "$(wc -l <"$TMP/err")" -eq 5 ]; then
    ok "five mistakes, five lines, at FILE:ROW:COL with the cell (cell $L$R)"
  else
    fail "mistakes: $(cat "$TMP/err")"
  fi
fi
# A total as =SUM(...) counts by Calc's saved result; a formula's error is
# refused at its cell, naming it (Calc 7.4 on bookworm saves =#REF!+1 as
# #REF!, Calc on trixie as #NAME?: either is an error value).
$WB formula "$nd" "$TMP/sum.xlsx"
$WB formula "$nd" "$TMP/ref.xlsx" ref
mkdir -p "$TMP/f"
calc xlsx --outdir "$TMP/f" "$TMP/sum.xlsx" "$TMP/ref.xlsx" || fail "soffice on formulas"
calc ods --outdir "$TMP/f" "$TMP/sum.xlsx" "$TMP/ref.xlsx" || fail "soffice on formulas"
rm -rf "$TMP/got"
if "$BIN" -q -o "$TMP/got" "$TMP/f/sum.xlsx" && "$BIN" -q -o "$TMP/got2" "$TMP/f/sum.ods" \
   && diff -r -x 'manifest-*.csv' -x '.manifest-*.lock' "$TMP/want1" "$TMP/got" >/dev/null \
   && diff -r -x 'manifest-*.csv' -x '.manifest-*.lock' "$TMP/got" "$TMP/got2" >/dev/null; then
  ok "a total written as =SUM() is read by its saved result (.xlsx and .ods)"
else
  fail "=SUM() total not read as its result"
fi
for ext in xlsx ods; do
  if "$BIN" import "$TMP/f/ref.$ext" >/dev/null 2>"$TMP/err"; then
    fail "#REF! accepted in .$ext"
  elif grep -qE "error: cell P4 .*'#(REF!|NAME\?)': the cell's formula gives an error" "$TMP/err"; then
    ok ".$ext: a formula's error value (#REF!) is refused at its cell"
  else
    fail ".$ext #REF!: $(cat "$TMP/err")"
  fi
done
$WB hidden "$nd" "$TMP/hidden.xlsx"
if "$BIN" import "$TMP/hidden.xlsx" -o "$TMP/h.xml" >/dev/null 2>"$TMP/err" \
   && "$BIN" import "$nd" -o "$TMP/n.xml" >/dev/null && cmp -s "$TMP/h.xml" "$TMP/n.xml"; then
  ok "a hidden first sheet is passed over"
else
  fail "hidden first sheet: $(cat "$TMP/err")"
fi

$WB title "$nd" "$TMP/title.xlsx"
if "$BIN" import "$TMP/title.xlsx" -o "$TMP/t.xml" >/dev/null 2>"$TMP/err" && cmp -s "$TMP/t.xml" "$TMP/n.xml"; then
  ok "a merged title row above the table is passed over"
else
  fail "title row: $(cat "$TMP/err")"
fi

# ---- files that are not what was expected: one line each, exit 65 -------------
mkdir -p "$TMP/bad"
$WB bad "$TMP/bad"
cp "$SRC/data/ncmec-2023.xml" "$TMP/bad/data.xml"
check_bad() {  # FILE WORDS
  local st=0
  "$BIN" import "$TMP/bad/$1" >/dev/null 2>"$TMP/err" || st=$?
  if [ $st -eq 65 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "$2" "$TMP/err"; then
    ok "$1: $(cut -c1-90 "$TMP/err")..."
  else
    fail "$1 (exit $st): $(cat "$TMP/err")"
  fi
}
check_bad data.xml "this is an XML data file, not a spreadsheet"
check_bad legacy.xls "old Excel 97-2003 workbook (.xls)"
check_bad password.xlsx "protected by a password"
check_bad macros.xlsm "holds macros (.xlsm)"
check_bad not-a-workbook.zip "this zip file is not a spreadsheet"
check_bad word.docx "a Word document"
check_bad text.odt "not a spreadsheet (a text document)"
check_bad truncated.xlsx "damaged or incomplete"
check_bad doctype.xlsx "damaged or incomplete"
check_bad repeat-bomb.ods "the row holds more than 1024 KB of text"
$WB bomb "$TMP/bad/bomb.xlsx"
check_bad bomb.xlsx "unpacks to more than 256 MB"

st=0
"$BIN" export "$SRC/data/ncmec-2023.xml" -o "$TMP/form.ods" 2>"$TMP/err" || st=$?
if [ $st -eq 64 ] && [ ! -e "$TMP/form.ods" ] && grep -q "export writes .xlsx" "$TMP/err"; then
  ok "export -o FILE.ods is refused (64), not a CSV under a workbook's name"
else
  fail "export -o FILE.ods: exit $st, $(cat "$TMP/err")"
fi

# ---- memory ------------------------------------------------------------------
if grep -q __asan_init "$BIN"; then
  echo "ok   - memory: skipped under AddressSanitizer (its quarantine keeps freed memory)"
else
  for n in 1000 10000; do
    python3 "$SRC/tools/make-sample.py" --count "$n" --seed 2024 >"$TMP/m$n.xml"
    peak "ek[$n]" "$BIN" export -q "$TMP/m$n.xml" -o "$TMP/m$n.xlsx"
    peak "ik[$n]" "$BIN" import -q "$TMP/m$n.xlsx" -o "$TMP/b$n.xml"
  done
  cmp -s "$TMP/m10000.xml" "$TMP/b10000.xml" || "$BIN" export -q "$TMP/b10000.xml" -o "$TMP/again.xlsx"
  for what in export import; do
    if [ $what = export ]; then small=${ek[1000]} big=${ek[10000]}; else small=${ik[1000]} big=${ik[10000]}; fi
    if [ $((big - small)) -lt $((LIMIT_MB * 1024)) ]; then
      ok "$what .xlsx: peak $((small / 1024)) MB at 1,000 rows, $((big / 1024)) MB at 10,000 (limit +$LIMIT_MB)"
    else
      fail "$what .xlsx: peak $((small / 1024)) MB at 1,000 rows, $((big / 1024)) MB at 10,000"
    fi
  done
fi
[ "$fails" -eq 0 ]
