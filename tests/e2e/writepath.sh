#!/bin/bash
# The write path against a hostile or unlucky user (issue 12, points 1, 2
# and 4), through the real binary:
#  - a link planted at the temporary name a run would have used (process ID
#    in the name, as before) is not followed: the target stays untouched;
#  - two runs in separate UTS+PID namespaces, both process 1 on the same
#    host name, write overlapping sheets into one folder at once (shards
#    1/2 and 1/3: two manifests, so both may proceed): both succeed, every
#    sheet is there and passes qpdf --check; two such runs of the same
#    manifest cannot both proceed (one exits 75, unless they did not meet);
#  - another run's fresh temporary file is left alone, a day-old one removed;
#  - SIGTERM at 20 random moments: exit 143, one line, no temporary file;
#    SIGINT gives 130 and SIGHUP 129 the same way;
#  - under nohup a SIGHUP does not stop the run;
#  - `statesheet -v ... | head` ends with a message on stderr, exit 74, and
#    leaves no temporary file;
#  - hyphenation patterns that cannot be read stop the run (66).
. "$(dirname "$0")/common.sh"
ok() { echo "ok   - $*"; }
tmps() { find "$1" -maxdepth 1 -name '.statesheet-*' | wc -l; }
# Waits until process $1 has its signal thread (SIGTERM, bit 14, blocked in
# the main thread): before that, while the libraries load, it cannot catch a
# signal yet and dies silently with nothing written.
ready() {
  local i m
  for i in $(seq 1 1000); do
    m=$(awk '/^SigBlk/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 0
    [ -n "$m" ] || return 0
    (( (16#$m >> 14) & 1 )) && return 0
    sleep 0.005
  done
}
# Waits until process $1 runs the binary itself (not a wrapper before exec).
started() { local i; for i in $(seq 1 200); do [ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$(readlink -f "$BIN")" ] && return 0; sleep 0.01; done; return 0; }

S=$SRC/data/samples/sample-56.xml
python3 "$SRC/tools/make-sample.py" --count 600 --seed 3 >"$TMP/m.xml"

# 1. A planted link at the old-style temporary name of this very process.
mkdir "$TMP/o1"
printf 'precious\n' >"$TMP/victim.txt"
rc=0
bash -c 'ln -s "$1" "$2/.statesheet-$$-S001-2023-SAMPLE.tmp"; ln -s "$1" "$2/.statesheet-$$-S001-2023-SAMPLE.pdf.tmp"
         exec "$3" -q -o "$2" -s S001 "$4"' _ "$TMP/victim.txt" "$TMP/o1" "$BIN" "$S" || rc=$?
if [ "$(cat "$TMP/victim.txt")" = precious ]; then ok "planted link: the target is untouched"; else fail "planted link: the target was written ($(head -c 8 "$TMP/victim.txt" | od -c | head -1))"; fi
if [ "$rc" -eq 0 ] && qpdf --check "$TMP/o1/S001-2023-SAMPLE.pdf" >/dev/null 2>&1; then ok "planted link: the sheet is written beside it (exit 0)"; else fail "planted link: exit $rc"; fi

# 2. Two runs, each process 1 in its own PID namespace, same host name.
if unshare --uts --pid --fork true 2>/dev/null; then
  mkdir "$TMP/o2"
  for k in 1 2; do
    rm -f "$TMP/o2"/*.pdf
    unshare --uts --pid --fork sh -c 'exec "$0" -q -j 2 --shard 1/2 -o "$1" "$2"' "$BIN" "$TMP/o2" "$TMP/m.xml" >"$TMP/a.err" 2>&1 & a=$!
    unshare --uts --pid --fork sh -c 'exec "$0" -q -j 2 --shard 1/3 -o "$1" "$2"' "$BIN" "$TMP/o2" "$TMP/m.xml" >"$TMP/b.err" 2>&1 & b=$!
    ra=0; rb=0
    wait $a || ra=$?
    wait $b || rb=$?
    n=$(find "$TMP/o2" -maxdepth 1 -name '*.pdf' | wc -l)
    want=$(cut -d, -f1 "$TMP/o2"/manifest-*-of-*.csv | grep -c '^sheet$' || true)
    both=$(cut -d, -f5 "$TMP/o2"/manifest-*-of-*.csv | grep -c 'pdf$' || true)
    bad=0
    for f in "$TMP/o2"/*.pdf; do qpdf --check "$f" >/dev/null 2>&1 || bad=$((bad + 1)); done
    if [ "$ra$rb" = 00 ] && [ "$n" -gt 200 ] && [ "$n" -lt "$both" ] && [ "$bad" -eq 0 ] && [ "$(tmps "$TMP/o2")" -eq 0 ]; then
      ok "namespaces, trial $k: both runs exit 0, $n sheets ($want listed, some in both), all pass qpdf --check, no temporary file"
    else
      fail "namespaces, trial $k: exits $ra/$rb, $n sheets, $bad fail qpdf --check, $(tmps "$TMP/o2") temporary: $(head -c 300 "$TMP/a.err" "$TMP/b.err")"
    fi
    rm -f "$TMP/o2"/manifest-*
    unshare --uts --pid --fork sh -c 'exec "$0" -q -j 2 -o "$1" "$2"' "$BIN" "$TMP/o2" "$TMP/m.xml" >"$TMP/a.err" 2>&1 & a=$!
    unshare --uts --pid --fork sh -c 'exec "$0" -q -j 2 -o "$1" "$2"' "$BIN" "$TMP/o2" "$TMP/m.xml" >"$TMP/b.err" 2>&1 & b=$!
    ra=0; rb=0
    wait $a || ra=$?
    wait $b || rb=$?
    if { [ "$ra$rb" = 075 ] || [ "$ra$rb" = 750 ] || [ "$ra$rb" = 00 ]; } && [ -f "$TMP/o2/manifest-2023-SAMPLE.csv" ] &&
       { [ "$ra$rb" = 00 ] || grep -q 'another statesheet run (process 1 on ' "$TMP/a.err" "$TMP/b.err"; }; then
      ok "namespaces, trial $k: the same manifest: exits $ra/$rb (75: the other run named), one manifest"
    else
      fail "namespaces, trial $k: the same manifest: exits $ra/$rb: $(head -c 300 "$TMP/a.err" "$TMP/b.err")"
    fi
  done
else
  echo "skip - unshare --uts --pid needs privileges this machine does not give"
fi

# 3. Another run's fresh temporary file stays; a day-old one goes.
mkdir "$TMP/o3"
echo live >"$TMP/o3/.statesheet-999999-S001-2023.tmp"
echo live >"$TMP/o3/.statesheet-otherhost-4242-00ff00ff00ff00ff-S002-2023.tmp"
echo dead >"$TMP/o3/.statesheet-otherhost-4243-00ff00ff00ff00fe-all.tmp"
touch -d '2 days ago' "$TMP/o3/.statesheet-otherhost-4243-00ff00ff00ff00fe-all.tmp"
"$BIN" -q -o "$TMP/o3" "$S"
if [ -e "$TMP/o3/.statesheet-999999-S001-2023.tmp" ] && [ -e "$TMP/o3/.statesheet-otherhost-4242-00ff00ff00ff00ff-S002-2023.tmp" ]; then
  ok "fresh temporary files of other runs are kept"
else
  fail "a fresh temporary file of another run was removed"
fi
if [ ! -e "$TMP/o3/.statesheet-otherhost-4243-00ff00ff00ff00fe-all.tmp" ]; then ok "a day-old temporary file (a killed combined write) is removed"; else fail "a day-old temporary file was kept"; fi

# 4. Signals at random moments.
mkdir "$TMP/o4"
left=0; badrc=0; badmsg=0
for i in $(seq 1 20); do
  "$BIN" -q -j 2 -o "$TMP/o4" "$TMP/m.xml" 2>"$TMP/sig.err" & p=$!
  ready $p
  ms=$((RANDOM % 1000))
  sleep "0.$(printf '%03d' $ms)"
  kill -TERM $p 2>/dev/null || true
  rc=0; wait $p || rc=$?
  [ "$rc" -eq 143 ] || [ "$rc" -eq 0 ] || { badrc=$((badrc + 1)); echo "       exit $rc"; }
  if [ "$rc" -eq 143 ] && [ "$(grep -c . "$TMP/sig.err")" -ne 1 ]; then
    badmsg=$((badmsg + 1)); echo "       at $ms ms: '$(cat "$TMP/sig.err")'"
  fi
  left=$((left + $(tmps "$TMP/o4")))
  rm -f "$TMP/o4"/.statesheet-*
done
if [ "$left" -eq 0 ]; then ok "SIGTERM at 20 random moments: no temporary file left"; else fail "SIGTERM: $left temporary files left over 20 tries"; fi
if [ "$badrc" -eq 0 ] && [ "$badmsg" -eq 0 ]; then ok "SIGTERM: exit 143 with one line on stderr (or 0 when the run had ended)"; else fail "SIGTERM: $badrc wrong exit statuses, $badmsg wrong messages ($(cat "$TMP/sig.err"))"; fi
# A batch that lasts seconds even on a fast machine: the signal must find
# the run still working.
python3 "$SRC/tools/make-sample.py" --count 3000 --seed 4 >"$TMP/long.xml"
for pair in INT:130 HUP:129; do
  s=${pair%:*}; want=${pair#*:}
  # A job started with & by a script has SIGINT ignored (and the program
  # keeps it so): reset it first, as an interactive shell does.
  python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' "$BIN" -q -j 2 -o "$TMP/o4" "$TMP/long.xml" 2>"$TMP/sig.err" & p=$!
  started $p
  ready $p
  sleep 0.3
  kill -$s $p 2>/dev/null || true
  rc=0; wait $p || rc=$?
  if [ "$rc" -eq "$want" ] && grep -q "stopped by SIG$s" "$TMP/sig.err" && [ "$(tmps "$TMP/o4")" -eq 0 ]; then
    ok "SIG$s: exit $want, '$(cat "$TMP/sig.err")', nothing left"
  else
    fail "SIG$s: exit $rc (want $want), stderr '$(cat "$TMP/sig.err")', $(tmps "$TMP/o4") temporary files"
  fi
done

# 5. nohup: SIGHUP stays ignored and the run completes.
mkdir "$TMP/o5"
nohup "$BIN" -q -j 2 -o "$TMP/o5" "$TMP/m.xml" >"$TMP/nohup.out" 2>&1 & p=$!
started $p
# Hang-ups all through the run, while it checks and while it writes.
while kill -HUP $p 2>/dev/null; do sleep 0.1; done
rc=0; wait $p || rc=$?
n=$(find "$TMP/o5" -maxdepth 1 -name '*.pdf' | wc -l)
if [ "$rc" -eq 0 ] && [ "$n" -eq 600 ]; then ok "nohup + SIGHUP: the run completes (600 sheets)"; else fail "nohup + SIGHUP: exit $rc, $n sheets"; fi

# 6. A closed output pipe.
mkdir "$TMP/o6"
set +o pipefail
"$BIN" -v -j 2 -o "$TMP/o6" "$TMP/m.xml" 2>"$TMP/pipe.err" | head -3 >/dev/null
rc=${PIPESTATUS[0]}
set -o pipefail
if [ "$rc" -eq 74 ] && grep -q "standard output" "$TMP/pipe.err" && [ "$(tmps "$TMP/o6")" -eq 0 ]; then
  ok "-v | head: exit 74, '$(cat "$TMP/pipe.err")', no temporary file"
else
  fail "-v | head: exit $rc, stderr '$(head -c 200 "$TMP/pipe.err")', $(tmps "$TMP/o6") temporary files"
fi

# 7. Hyphenation patterns that cannot be read (a folder at the file's name
# in the assets): 66 naming the file, before any output exists; never a
# run set without hyphenation.
cp -r "$SRC/assets" "$TMP/assets7"
mkdir -p "$TMP/assets7/hyphen/hyph_en_US.dic"
rc=0
"$BIN" -q --assets "$TMP/assets7" -o "$TMP/o7" "$S" 2>"$TMP/hy.err" || rc=$?
if [ "$rc" -eq 66 ] && [ ! -e "$TMP/o7" ] &&
   grep -q "hyph_en_US.dic: error: cannot read the hyphenation patterns" "$TMP/hy.err"; then
  ok "unreadable hyphenation patterns: exit 66, named, nothing written"
else
  fail "unreadable hyphenation patterns: exit $rc, $(ls "$TMP/o7" 2>/dev/null | wc -l) files: $(head -c 300 "$TMP/hy.err")"
fi

if [ "$fails" -ne 0 ]; then echo "writepath: $fails check(s) FAILED"; exit 1; fi
echo "writepath: all checks passed"
