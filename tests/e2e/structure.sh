#!/bin/bash
# The tagged PDF (PDF/UA-1's machine-checkable structure rules): the tag
# tree of the North Dakota sheet, of the Hawaiʻi sample sheet and of a
# combined file, read with poppler's pdfinfo -struct-text and with PDF.js's
# getStructTree, and every content stream walked with pikepdf
# (structure.py has the checks).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${SS_SOURCE_DIR:-$(cd "$HERE/../.." && pwd)}
BIN=${SS_BINARY:?set SS_BINARY to the built statesheet}
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export SOURCE_DATE_EPOCH=1700000000

if [ ! -f "$HERE/pdfjs/node_modules/pdfjs-dist/package.json" ]; then
  if [ -z "${SS_PDFJS_SKIP:-}" ]; then
    echo "FAIL - PDF.js is not installed: run tools/test.sh (it runs npm ci in tests/e2e/pdfjs)"
    exit 1
  fi
  # tools/test.sh could not install it and said why, loudly.
  echo "skip - PDF.js: $SS_PDFJS_SKIP"
  export SS_NO_PDFJS=1
fi
"$BIN" -q -s ND -o "$TMP/nd" "$SRC/data/ncmec-2023.xml"
"$BIN" -q -o "$TMP/hi" --combined "$TMP/combined.pdf" "$SRC/tests/fixtures/e2e/hawaii-sample.xml"

fails=0
info=$(pdfinfo "$TMP/nd/ND-2023.pdf")
if grep -q '^Tagged: *yes' <<<"$info" && grep -q '^Suspects: *no' <<<"$info"; then
  echo "ok   - pdfinfo: Tagged: yes, Suspects: no"
else
  echo "FAIL - pdfinfo does not say Tagged: yes and Suspects: no"; fails=1
fi
"$PY" "$HERE/structure.py" "$TMP/nd/ND-2023.pdf" "$TMP/hi/HI-2023-SAMPLE.pdf" "$TMP/combined.pdf" \
  "$HERE/pdfjs" || fails=1
exit $fails
