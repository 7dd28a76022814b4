#!/bin/bash
# Every reader, unpatched: the North Dakota sheet (data/ncmec-2023.xml), the
# Hawaiʻi sample sheet and a combined file (tests/fixtures/e2e/
# hawaii-sample.xml, fictional) read back with pdftotext, pdfminer.six,
# pypdf, mutool, Ghostscript's txtwrite, PDFBox and PDF.js (readers.py has
# the checks).  PDF.js is pdfjs-dist from npm, pinned by
# tests/e2e/pdfjs/package-lock.json and installed by tools/test.sh.
. "$(dirname "$0")/common.sh"

pdfjs_or_skip
"$BIN" -q -s ND -o "$TMP/nd" "$SRC/data/ncmec-2023.xml"
"$BIN" -q -o "$TMP/hi" --combined "$TMP/combined.pdf" "$SRC/tests/fixtures/e2e/hawaii-sample.xml"
"$PY" "$HERE/readers.py" "$TMP/nd/ND-2023.pdf" "$TMP/hi/HI-2023-SAMPLE.pdf" "$TMP/combined.pdf" \
  "$HERE/pdfjs"
