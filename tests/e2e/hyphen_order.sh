#!/bin/bash
# Words broken across lines read in their place (hyphen_order.py): in
# pdftotext's default mode, every paragraph and heading of the tagged text
# reads word for word and in order, around bold words broken across lines
# too, on the 56 fictional sheets and the real ND sheet, Letter and A4.
. "$(dirname "$0")/common.sh"
for paper in letter a4; do
  "$BIN" -q --paper "$paper" -o "$TMP/nd-$paper" -s ND "$SRC/data/ncmec-2023.xml"
  "$BIN" -q --paper "$paper" -o "$TMP/s56-$paper" "$SRC/data/samples/sample-56.xml"
done
out=$("$PY" "$HERE/hyphen_order.py" "$TMP"/nd-*/ND-2023.pdf "$TMP"/s56-*/*.pdf) || fails=1
echo "$out"
# The case this guards must be there: bold words broken across lines.
bold=$(tail -1 <<<"$out" | sed -n 's/.*; \([0-9]*\) bold words.*/\1/p')
if [ "${bold:-0}" -lt 1 ]; then
  echo "FAIL - no bold word is broken across lines: the check saw nothing"
  fails=1
fi
[ "$fails" -eq 0 ] && echo "hyphen_order: all checks passed"
exit "$fails"
