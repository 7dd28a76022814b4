#!/bin/bash
# Kerning, hanging punctuation and the column's edge, read back from the
# PDFs with pdfminer and measured against HarfBuzz's hb-shape on Liberation
# Sans (kerning.py): the real ND sheet and the 56 fictional sheets, on
# Letter and on A4.
. "$(dirname "$0")/common.sh"
# Liberation Sans 2: fonts-liberation2 (bookworm's folder); trixie's
# package of that name brings fonts-liberation 2, in the other one.
LIB=""
for d in /usr/share/fonts/truetype/liberation2 /usr/share/fonts/truetype/liberation; do
  [ -f "$d/LiberationSans-Regular.ttf" ] && [ -f "$d/LiberationSans-Bold.ttf" ] && LIB=$d && break
done
if [ -z "$LIB" ] || ! command -v hb-shape >/dev/null; then
  echo "FAIL - Liberation Sans or hb-shape missing: run tools/deps.sh test"
  exit 1
fi
for paper in letter a4; do
  "$BIN" -q --paper "$paper" -o "$TMP/nd-$paper" -s ND "$SRC/data/ncmec-2023.xml"
  "$BIN" -q --paper "$paper" -o "$TMP/s56-$paper" "$SRC/data/samples/sample-56.xml"
done
"$PY" "$HERE/kerning.py" "$LIB" "$TMP"/nd-*/ND-2023.pdf || fails=$((fails + 1))
"$PY" "$HERE/kerning.py" "$LIB" "$TMP"/s56-*/*.pdf || fails=$((fails + 1))
if [ "$fails" -ne 0 ]; then
  echo "kerning: $fails check(s) FAILED"
  exit 1
fi
echo "kerning: all checks passed"
