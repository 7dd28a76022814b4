#!/bin/bash
# Export and import stay flat in memory: the peak resident memory of
# `statesheet export` and `statesheet import` on 30,000 FICTIONAL states is
# within LIMIT_MB of that on 1,000 states.  Holding the whole dataset (as
# the first version did: ~0.9 KB a state for export, ~1.7 KB for import)
# costs 25-50 MB more at 30,000 states and fails; streaming costs a few
# bytes a state (the set of codes).  Memory, not time: nothing here is
# timed.  Skipped under AddressSanitizer, whose quarantine keeps freed
# memory resident on purpose.
. "$(dirname "$0")/common.sh"
LIMIT_MB=${LIMIT_MB:-10}
if grep -q __asan_init "$BIN"; then
  echo "ok   - skipped: AddressSanitizer build (its quarantine keeps freed memory)"
  exit 0
fi
ok() { echo "ok   - $*"; }

for n in 1000 30000; do
  python3 "$SRC/tools/make-sample.py" --count "$n" --seed 2023 >"$TMP/d$n.xml"
  peak "ek[$n]" "$BIN" export -q "$TMP/d$n.xml" -o "$TMP/d$n.csv"
  peak "ik[$n]" "$BIN" import -q "$TMP/d$n.csv" -o "$TMP/b$n.xml"
done
"$BIN" export -q "$TMP/b30000.xml" -o "$TMP/again.csv"
if cmp -s "$TMP/d30000.csv" "$TMP/again.csv"; then
  ok "30,000 states: export, import, export gives the same CSV"
else
  fail "30,000 states: the round trip changed the CSV"
fi
for what in export import; do
  if [ $what = export ]; then small=${ek[1000]} big=${ek[30000]}; else small=${ik[1000]} big=${ik[30000]}; fi
  grow=$(( (big - small) / 1024 ))
  if [ $(( big - small )) -lt $(( LIMIT_MB * 1024 )) ]; then
    ok "$what: peak $((small / 1024)) MB at 1,000 states, $((big / 1024)) MB at 30,000 (+$grow MB, limit +$LIMIT_MB)"
  else
    fail "$what: peak $((small / 1024)) MB at 1,000 states, $((big / 1024)) MB at 30,000 (+$grow MB, more than +$LIMIT_MB): it holds the whole file"
  fi
done
[ "$fails" -eq 0 ]
