#!/bin/bash
# Every reader, unpatched: the North Dakota sheet (data/ncmec-2023.xml), the
# Hawaiʻi sample sheet and a combined file (tests/fixtures/e2e/
# hawaii-sample.xml, fictional) read back with pdftotext, pdfminer.six,
# pypdf, mutool, Ghostscript's txtwrite, PDFBox and PDF.js (readers.py has
# the checks).  PDF.js is pdfjs-dist from npm, pinned by
# tests/e2e/pdfjs/package-lock.json and installed by tools/test.sh.
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
"$PY" "$HERE/readers.py" "$TMP/nd/ND-2023.pdf" "$TMP/hi/HI-2023-SAMPLE.pdf" "$TMP/combined.pdf" \
  "$HERE/pdfjs"
