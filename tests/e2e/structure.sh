#!/bin/bash
# The tagged PDF (PDF/UA-1's machine-checkable structure rules): the tag
# tree of the North Dakota sheet, of the Hawaiʻi sample sheet and of a
# combined file, read with poppler's pdfinfo -struct-text and with PDF.js's
# getStructTree, and every content stream walked with pikepdf
# (structure.py has the checks).
. "$(dirname "$0")/common.sh"

pdfjs_or_skip
"$BIN" -q -s ND -o "$TMP/nd" "$SRC/data/ncmec-2023.xml"
"$BIN" -q -o "$TMP/hi" --combined "$TMP/combined.pdf" "$SRC/tests/fixtures/e2e/hawaii-sample.xml"

info=$(pdfinfo "$TMP/nd/ND-2023.pdf")
if grep -q '^Tagged: *yes' <<<"$info" && grep -q '^Suspects: *no' <<<"$info"; then
  echo "ok   - pdfinfo: Tagged: yes, Suspects: no"
else
  echo "FAIL - pdfinfo does not say Tagged: yes and Suspects: no"; fails=1
fi
"$PY" "$HERE/structure.py" "$TMP/nd/ND-2023.pdf" "$TMP/hi/HI-2023-SAMPLE.pdf" "$TMP/combined.pdf" \
  "$HERE/pdfjs" || fails=1
exit $fails
