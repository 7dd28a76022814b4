#!/bin/bash
# Bold where the reference sheet is bold, regular elsewhere: per-character
# font names of the North Dakota sheet, read back with pdfminer (bold.py).
. "$(dirname "$0")/common.sh"

rc=0
"$BIN" -q -o "$TMP/out" "$SRC/data/ncmec-2023.xml" 2>"$TMP/run.err" || rc=$?
if [ "$rc" -ne 0 ] || [ ! -s "$TMP/out/ND-2023.pdf" ]; then
  echo "FAIL - statesheet exit $rc, ND-2023.pdf not written: $(head -3 "$TMP/run.err")"
  exit 1
fi
echo "ok   - statesheet exit 0, ND-2023.pdf written"
"$PY" "$HERE/bold.py" "$TMP/out/ND-2023.pdf"
