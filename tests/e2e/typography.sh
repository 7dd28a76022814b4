#!/bin/bash
# Typography, read back from the PDFs (typography.py): every sheet of the
# fictional sample file, on Letter and on A4, keeps the widest space on a
# justified line within 2.0x the natural space, ends no paragraph in a
# one-word line, hyphenates at most two lines in a row and never inside a
# figure, a name or an address; the real ND sheet keeps within 1.5x on
# both Letter and A4.
. "$(dirname "$0")/common.sh"
DATA=$SRC/data/samples/sample-56.xml
for paper in letter a4; do
  "$BIN" -q --paper "$paper" -o "$TMP/$paper" "$DATA"
  "$PY" "$HERE/typography.py" --max-gap 2.0 --data "$DATA" "$TMP/$paper"/*.pdf \
    >"$TMP/$paper.txt" || { grep FAIL "$TMP/$paper.txt" | head -20; fails=$((fails + 1)); }
  tail -1 "$TMP/$paper.txt"
  # The same sheets in Spanish (hyphenated with Spanish patterns).
  "$BIN" -q --paper "$paper" -t "$SRC/assets/templates/state-data.es.xml" -o "$TMP/es-$paper" "$DATA"
  "$PY" "$HERE/typography.py" --max-gap 2.0 --data "$DATA" "$TMP/es-$paper"/*.pdf \
    >"$TMP/es-$paper.txt" || { grep FAIL "$TMP/es-$paper.txt" | head -20; fails=$((fails + 1)); }
  tail -1 "$TMP/es-$paper.txt"
  "$BIN" -q --paper "$paper" -o "$TMP/nd-$paper" -s ND "$SRC/data/ncmec-2023.xml"
  "$PY" "$HERE/typography.py" --max-gap 1.5 --data "$SRC/data/ncmec-2023.xml" \
    "$TMP/nd-$paper/ND-2023.pdf" || fails=$((fails + 1))
done
# A language without hyphenation patterns: set without hyphenation, and
# -v says so.
sed 's/lang="en-US"/lang="xx-YY"/' "$SRC/assets/templates/state-data.xml" >"$TMP/xx.xml"
"$BIN" -v -t "$TMP/xx.xml" -o "$TMP/xx" -s ND "$SRC/data/ncmec-2023.xml" >"$TMP/xx.out"
# pdfminer shows the soft hyphen at each break.
pdf2txt "$TMP/xx/ND-2023.pdf" >"$TMP/xx.txt"
pdf2txt "$TMP/nd-letter/ND-2023.pdf" >"$TMP/nd.txt"
pdftotext "$TMP/nd-letter/ND-2023.pdf" "$TMP/nd-poppler.txt"
if grep -q "no hyphenation patterns for language xx-YY" "$TMP/xx.out" &&
   ! grep -q $'\xc2\xad' "$TMP/xx.txt"; then
  echo "ok   - lang xx-YY: no patterns, no hyphens, a note under -v"
else
  echo "FAIL - lang xx-YY: $(cat "$TMP/xx.out")"
  fails=$((fails + 1))
fi
# With patterns, the same sheet is hyphenated (en-US, Letter).
if grep -q $'\xc2\xad' "$TMP/nd.txt"; then
  echo "ok   - en-US: ND is hyphenated"
else
  echo "FAIL - en-US: no soft hyphen in ND"
  fails=$((fails + 1))
fi
# pdftotext (default mode) reads each broken word's halves where they
# stand, the soft hyphen at the line's end between them (ISO 32000-1,
# 14.8.2.2.3), and the tagged text (pdfinfo -struct-text) the word whole.
pdfinfo -struct-text "$TMP/nd-letter/ND-2023.pdf" >"$TMP/nd-struct.txt"
whole=$("$PY" - "$TMP/nd.txt" "$TMP/nd-poppler.txt" "$TMP/nd-struct.txt" <<'PYEOF'
import re, sys
broken = re.findall(r"(\w+)\u00ad\s*(\w+)", open(sys.argv[1], encoding="utf-8").read())
poppler = open(sys.argv[2], encoding="utf-8").read()
tagged = open(sys.argv[3], encoding="utf-8").read()
bad = [a + "-" + b for a, b in broken
       if not re.search(r"\b%s\u00ad\n%s\b" % (a, b), poppler)
       or not re.search(r"\b%s%s\b" % (a, b), tagged)]
print("%d %s" % (len(broken), " ".join(bad) if bad or "\u00ad" in tagged else ""))
PYEOF
)
if [ "${whole%% *}" -gt 0 ] && [ "$whole" = "${whole%% *} " ]; then
  echo "ok   - the ${whole%% *} broken words of ND: halves in place in pdftotext, whole in the tagged text"
else
  echo "FAIL - broken words of ND: $whole"
  fails=$((fails + 1))
fi
if [ "$fails" -ne 0 ]; then
  echo "typography: $fails check(s) FAILED"
  exit 1
fi
echo "typography: all checks passed"
