#!/bin/bash
# All 56 sheets of the fictional sample data (hard cases included), on US
# Letter and once on A4, read back with poppler, qpdf and pdfminer
# (samples.py has the per-sheet checks).
. "$(dirname "$0")/common.sh"
DATA=$SRC/data/samples/sample-56.xml
ok() { echo "ok   - $*"; }

want=$(grep -c '<state ' "$DATA")
if [ "$want" -eq 56 ]; then ok "sample-56.xml has 56 states"; else fail "sample-56.xml has $want states (want 56)"; fi

for paper in letter a4; do
  out=$TMP/$paper
  rc=0
  "$BIN" -q --paper "$paper" -o "$out" "$DATA" >"$TMP/$paper.out" 2>"$TMP/$paper.err" || rc=$?
  if [ "$rc" -eq 0 ]; then
    ok "$paper: statesheet exit 0"
  else
    fail "$paper: statesheet exit $rc: $(head -5 "$TMP/$paper.err")"
    continue
  fi
  if [ -s "$TMP/$paper.err" ]; then fail "$paper: statesheet wrote to stderr: $(head -3 "$TMP/$paper.err")"; fi
  n=$(find "$out" -maxdepth 1 -name '*.pdf' | wc -l)
  if [ "$n" -eq 56 ]; then ok "$paper: 56 PDFs"; else fail "$paper: $n PDFs (want 56)"; fi
  left=$(find "$out" -maxdepth 1 -name '.statesheet-*' | wc -l)
  if [ "$left" -eq 0 ]; then ok "$paper: no temporary files left"; else fail "$paper: $left temporary files left"; fi
  if "$PY" "$HERE/samples.py" "$DATA" "$out" "$paper"; then
    ok "$paper: every sheet passes the per-sheet checks"
  else
    fail "$paper: per-sheet checks failed (see above)"
  fi
done

# The letter and A4 sheets differ (the paper size is really applied).
if [ -f "$TMP/letter/S001-2023-SAMPLE.pdf" ] && [ -f "$TMP/a4/S001-2023-SAMPLE.pdf" ]; then
  if cmp -s "$TMP/letter/S001-2023-SAMPLE.pdf" "$TMP/a4/S001-2023-SAMPLE.pdf"; then
    fail "letter and A4 sheets are identical"
  else
    ok "letter and A4 sheets differ"
  fi
fi

if [ "$fails" -ne 0 ]; then
  echo "samples: $fails check(s) FAILED"
  exit 1
fi
echo "samples: all checks passed"
