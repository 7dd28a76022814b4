#!/bin/bash
# A form for every jurisdiction (issue 24, point 4): assets/jurisdictions.csv
# lists the 56 (50 states, DC, PR, GU, VI, AS, MP) with English and Spanish
# names, and export --blank lists them all, ready to fill in, keeping the
# data's own names; filled in (openpyxl plays the user), the form imports.
. "$(dirname "$0")/common.sh"
ok() { echo "ok   - $*"; }

$PY - "$SRC/assets/jurisdictions.csv" >"$TMP/out" 2>&1 <<'PY' || fail "jurisdictions.csv: $(cat "$TMP/out")"
import csv, re, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
codes = [r["code"] for r in rows]
assert len(rows) == 56, len(rows)
assert len(set(codes)) == 56, "a code twice"
assert all(re.fullmatch(r"[A-Z]{2}", c) for c in codes), codes
assert all(r["name"].strip() and r["name-es"].strip() for r in rows), "a name missing"
assert set(codes[-6:]) == {"DC", "PR", "GU", "VI", "AS", "MP"}, codes[-6:]
assert {"ND", "TX", "HI", "AK", "WY"} <= set(codes[:50])
by = {r["code"]: r for r in rows}
assert by["ND"]["name-es"] == "Dakota del Norte" and by["PR"]["name"] == "Puerto Rico"
print("ok")
PY
[ "$(cat "$TMP/out")" = ok ] && ok "jurisdictions.csv: 56 unique codes, 50 states then DC and the five territories, English and Spanish names"

"$BIN" export -q --blank "$SRC/data/ncmec-2023.xml" -o "$TMP/form.csv"
n=$(tail -n +3 "$TMP/form.csv" | wc -l)
nd=$(grep '^ND,' "$TMP/form.csv" | cut -d, -f1-4)
if [ "$n" -eq 56 ] && [ "$nd" = "ND,North Dakota,Dakota del Norte,2024" ] \
   && head -1 "$TMP/form.csv" | grep -q '^.*code,name,name-es,year,' \
   && ! tail -n +2 "$TMP/form.csv" | cut -d, -f5- | grep -q '[0-9]'; then
  ok "export --blank: 56 rows after the national one, names in English and Spanish, year 2024, no figure"
else
  fail "export --blank: $n rows, ND: $nd"
fi

# Sample data (sample="true"): the form lists the 56 and the file's own
# fictional states; filled in with invented numbers, it is still sample data.
"$BIN" export -q --blank "$SRC/data/samples/sample-56.xml" -o "$TMP/form.xlsx"
$PY - "$TMP/form.xlsx" "$TMP/filled.xlsx" <<'PY'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1]); ws = wb.active
head = [c.value for c in ws[1]]
for row in ws.iter_rows(min_row=2):
    if row[0].value is None:
        continue
    national = row[0].value == "national"
    for i, h in enumerate(head):
        if h is None or h in ("code", "name", "name-es", "year", "sample") or h.startswith("Order:"):
            continue
        if h.startswith("National:") != national:
            continue
        if h.startswith("Total:"):
            row[i].value = None  # left for import to add up
        elif not national and ":" in h.split(" ")[0]:  # "KEY: LABEL": the first row column of each table
            key = h.split(":")[0]
            first = next(j for j, g in enumerate(head) if g and g.startswith(key + ":"))
            row[i].value = 1 if i == first else None
        else:
            row[i].value = 7
wb.save(sys.argv[2])
PY
if "$BIN" import -q "$TMP/filled.xlsx" -o "$TMP/filled.xml" 2>"$TMP/err" \
   && "$BIN" --check "$TMP/filled.xml" >"$TMP/check" 2>&1 && grep -q "112 states" "$TMP/check" \
   && grep -q 'code="GU" name="Guam" name-es="Guam"' "$TMP/filled.xml"; then
  ok "the blank workbook, filled in by a user, imports: 112 states, $(grep -c 'sample="true"' "$TMP/filled.xml") sample file"
else
  fail "filled form: $(head -3 "$TMP/err") $(cat "$TMP/check" 2>/dev/null)"
fi
[ "$fails" -eq 0 ]
