#!/bin/bash
# The North Dakota sheet made from data/ncmec-2023.xml says what the
# reference sheet (tests/fixtures/reference/north-dakota-2023.txt) says, in the same
# order, and is one US Letter page titled "North Dakota Data 2023".
. "$(dirname "$0")/common.sh"
REF=$SRC/tests/fixtures/reference/north-dakota-2023.txt
ok() { echo "ok   - $*"; }

rc=0
"$BIN" -q -o "$TMP/out" "$SRC/data/ncmec-2023.xml" >"$TMP/run.out" 2>"$TMP/run.err" || rc=$?
if [ "$rc" -eq 0 ]; then ok "statesheet exit 0"; else fail "statesheet exit $rc: $(head -3 "$TMP/run.err")"; fi
PDF=$TMP/out/ND-2023.pdf
if [ ! -s "$PDF" ]; then
  fail "no ND-2023.pdf written"
  exit 1
fi

# pdftotext: silent (no warnings such as a broken ToUnicode CMap).
pdftotext -enc UTF-8 "$PDF" "$TMP/nd.txt" 2>"$TMP/pdftotext.err" || fail "pdftotext failed"
if [ -s "$TMP/pdftotext.err" ]; then
  fail "pdftotext printed on stderr: $(head -3 "$TMP/pdftotext.err")"
else
  ok "pdftotext prints nothing on stderr"
fi

# The reference text, in order.
if "$PY" "$HERE/reference.py" "$REF" "$TMP/nd.txt"; then
  ok "every reference paragraph and table row is on the sheet, in order"
else
  fail "reference text missing or out of order (see above)"
fi

# The reference's typo must not leak into our sheet.
if grep -q "North Carolina" "$TMP/nd.txt"; then
  fail "sheet says 'North Carolina'"
else
  ok "sheet never says 'North Carolina'"
fi
n=$(grep -o "North Dakota" "$TMP/nd.txt" | wc -l)
if [ "$n" -ge 8 ]; then ok "'North Dakota' appears $n times"; else fail "'North Dakota' appears only $n times (want >= 8)"; fi

# pdfinfo: one page, US Letter, the title.
pdfinfo "$PDF" >"$TMP/info.txt" 2>"$TMP/info.err" || fail "pdfinfo failed: $(cat "$TMP/info.err")"
pages=$(sed -n 's/^Pages: *//p' "$TMP/info.txt")
size=$(sed -n 's/^Page size: *//p' "$TMP/info.txt")
title=$(sed -n 's/^Title: *//p' "$TMP/info.txt")
if [ "$pages" = "1" ]; then ok "1 page"; else fail "pages: '$pages' (want 1)"; fi
case "$size" in
  "612 x 792 pts"*) ok "page size $size" ;;
  *) fail "page size '$size' (want 612 x 792 pts)" ;;
esac
if [ "$title" = "North Dakota Data 2023" ]; then ok "title '$title'"; else fail "title '$title' (want 'North Dakota Data 2023')"; fi

if [ "$fails" -ne 0 ]; then
  echo "reference: $fails check(s) FAILED"
  exit 1
fi
echo "reference: all checks passed"
