#!/bin/bash
# Files appear atomically: kill -9 a big batch part-way, then every *.pdf in
# the output folder is a whole, valid PDF (never a temporary or a torn
# file), and a re-run completes and leaves no temporary files behind.
#
# Last run's manifest is gone once the killed run began to replace
# sheets (issue 21): a folder never holds a manifest that lies.
#
# The batch is 2,000 states (a few seconds on 2 cores); SS_ATOMIC_STATES
# sets another size, SS_ATOMIC_KILL_PCT (default 30) the share of sheets
# written before the kill.
. "$(dirname "$0")/common.sh"
PCT=${SS_ATOMIC_KILL_PCT:-30}
COUNT=${SS_ATOMIC_STATES:-2000}
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
ok() { echo "ok   - $*"; }
now() { date +%s.%N; }
secs() { echo "scale=2; ($2 - $1) / 1" | bc; }

T0=$(now)
"$PY" "$SRC/tools/make-sample.py" --count "$COUNT" --seed 7 >"$TMP/big.xml"
ok "generated $COUNT states ($(stat -c %s "$TMP/big.xml") bytes)"
OUT=$TMP/out
mkdir "$OUT"
want=$((COUNT * PCT / 100))
# An earlier run's sheet and manifest in the folder.
first=$(grep -o -m1 '<state code="[^"]*"' "$TMP/big.xml" | cut -d'"' -f2)
"$BIN" -q -o "$OUT" -s "$first" "$TMP/big.xml"
[ -f "$OUT/manifest-2023-SAMPLE.csv" ] || fail "the earlier run wrote no manifest"

# Start the batch, wait until PCT% of the sheets exist, kill -9.
t_start=$(now)
"$BIN" -q -j 2 -o "$OUT" "$TMP/big.xml" >"$TMP/run1.out" 2>"$TMP/run1.err" &
pid=$!
n=0
while kill -0 "$pid" 2>/dev/null; do
  n=$(find "$OUT" -maxdepth 1 -name '*.pdf' | wc -l)
  [ "$n" -ge "$want" ] && break
  sleep 0.1
done
if kill -9 "$pid" 2>/dev/null; then
  rc=0
  { wait "$pid"; } 2>/dev/null || rc=$?
  pid=
  t_kill=$(now)
  if [ "$rc" -eq 137 ]; then ok "killed with SIGKILL after $(secs "$t_start" "$t_kill") s, $n sheets seen"; else fail "killed run exit $rc (want 137)"; fi
else
  rc=0
  { wait "$pid"; } 2>/dev/null || rc=$?
  pid=
  fail "the batch ended (exit $rc) before $want sheets were seen; nothing to test (raise SS_ATOMIC_STATES)"
fi

# Every *.pdf is whole: starts %PDF-, ends %%EOF, passes qpdf --check.
shopt -s nullglob dotglob
pdfs=("$OUT"/*.pdf)
tmps=("$OUT"/.statesheet-*)
echo "note - after the kill: ${#pdfs[@]} *.pdf files, ${#tmps[@]} temporary files: $(printf '%s ' "${tmps[@]##*/}" | cut -c1-200)"
if [ "${#pdfs[@]}" -gt 0 ]; then ok "${#pdfs[@]} PDFs written before the kill"; else fail "no PDF written before the kill"; fi
if [ ! -e "$OUT/manifest-2023-SAMPLE.csv" ]; then ok "the earlier run's manifest was withdrawn before the first sheet"; else fail "the earlier run's manifest is still there after the killed run replaced sheets"; fi
badname=0
for f in "${pdfs[@]}"; do
  case "${f##*/}" in
    S[0-9]*-2023-SAMPLE.pdf) ;;
    *) badname=$((badname + 1)); echo "       unexpected file name: ${f##*/}" ;;
  esac
done
if [ "$badname" -eq 0 ]; then ok "every *.pdf has a final name CODE-2023-SAMPLE.pdf (no temporary named *.pdf)"; else fail "$badname *.pdf files with unexpected names"; fi

t_chk=$(now)
# One line per bad file from a batch checker; head/tail read only the ends.
printf '%s\0' "${pdfs[@]}" | xargs -0 -r -n 200 -P 2 sh -c '
  for f; do
    [ "$(head -c 5 "$f")" = "%PDF-" ] || echo "no %PDF- header: $f"
    tail -c 32 "$f" | grep -q "%%EOF" || echo "no %%EOF at the end: $f"
    qpdf --check "$f" >/dev/null 2>&1 || echo "qpdf --check failed: $f"
  done' _ >"$TMP/bad.txt" || true
nbad=$(grep -c . "$TMP/bad.txt" || true)
if [ "$nbad" -eq 0 ]; then
  ok "all ${#pdfs[@]} PDFs: %PDF- header, %%EOF trailer, qpdf --check clean ($(secs "$t_chk" "$(now)") s)"
else
  fail "$nbad problems in PDFs left by the killed run:"
  head -5 "$TMP/bad.txt" | sed 's/^/       /'
fi

# A re-run over the same folder completes.  The killed run's temporary
# files are young, so the re-run leaves them (they could belong to a live
# run on another machine); it leaves none of its own.
killed_tmps=$(find "$OUT" -maxdepth 1 -name '.statesheet-*' -printf '%f\n' | sort)
t_re=$(now)
rc=0
"$BIN" -q -j 2 -o "$OUT" "$TMP/big.xml" >"$TMP/run2.out" 2>"$TMP/run2.err" || rc=$?
if [ "$rc" -eq 0 ]; then ok "re-run exit 0 ($(secs "$t_re" "$(now)") s)"; else fail "re-run exit $rc: $(head -3 "$TMP/run2.err")"; fi
pdfs=("$OUT"/*.pdf)
tmps=("$OUT"/.statesheet-*)
if [ "${#pdfs[@]}" -eq "$COUNT" ]; then ok "re-run: $COUNT PDFs"; else fail "re-run: ${#pdfs[@]} PDFs (want $COUNT)"; fi
now_tmps=$(find "$OUT" -maxdepth 1 -name '.statesheet-*' -printf '%f\n' | sort)
if [ "$now_tmps" = "$killed_tmps" ]; then
  ok "re-run: no temporary file of its own left; the killed run's $(echo -n "$killed_tmps" | grep -c . || true) young ones kept"
else
  fail "re-run: temporary files changed: $(comm -3 <(echo "$killed_tmps") <(echo "$now_tmps") | head -5 | tr '\n' ' ')"
fi
# Once they are a day old, the next run removes them.
find "$OUT" -maxdepth 1 -name '.statesheet-*' -exec touch -d '2 days ago' {} +
"$BIN" -q -j 2 -o "$OUT" -s "$first" "$TMP/big.xml" >/dev/null 2>&1 || true
left=$(find "$OUT" -maxdepth 1 -name '.statesheet-*' | wc -l)
if [ "$left" -eq 0 ]; then ok "a day later: the killed run's temporary files are removed"; else fail "a day later: $left temporary files left"; fi
# Spot-check the re-run's output: the first, last and middle sheets.
for f in "${pdfs[0]:-}" "${pdfs[$((${#pdfs[@]} / 2))]:-}" "${pdfs[$((${#pdfs[@]} - 1))]:-}"; do
  [ -n "$f" ] || continue
  if qpdf --check "$f" >/dev/null 2>&1; then ok "re-run: ${f##*/} passes qpdf --check"; else fail "re-run: ${f##*/} fails qpdf --check"; fi
done

echo "note - atomic test took $(secs "$T0" "$(now)") s"
if [ "$fails" -ne 0 ]; then
  echo "atomic: $fails check(s) FAILED"
  exit 1
fi
echo "atomic: all checks passed"
