#!/bin/bash
# Each run writes a manifest (manifest.h) into its output folder: a CSV a
# mail merge reads, listing every sheet (code, name, year, file, pages,
# bytes, SHA-256, sample flag), the combined file, the SHA-256 of the data
# file and of the template, and the program's version.  Checked against
# the files themselves.  The manifest never lies (issue 21, point 2): two
# runs cannot write the same manifest into one folder at once (the second
# exits 75 naming the first; other shards run side by side), last run's
# manifest is withdrawn before the first sheet replaces anything, and a
# run that fails part-way (a failing fsync, tests/fault/shim.c) leaves no
# manifest and says what the folder holds.
. "$(dirname "$0")/common.sh"
DATA=$SRC/data/samples/sample-56.xml
TPL=$SRC/assets/templates/state-data.xml
ok() { echo "ok   - $*"; }

"$BIN" -q -j 2 -o "$TMP/a" --combined "$TMP/a/all.pdf" "$DATA"
"$BIN" -q -j 1 -o "$TMP/b" --combined "$TMP/a/all.pdf" "$DATA"
m=$TMP/a/manifest-2023-SAMPLE.csv
if [ -f "$m" ]; then ok "sample run wrote manifest-2023-SAMPLE.csv"; else fail "no manifest: $(ls "$TMP/a" | grep -v pdf)"; fi
if cmp -s "$m" "$TMP/b/manifest-2023-SAMPLE.csv"; then
  ok "the manifest is the same with -j 1 and -j 2"
else
  fail "manifests of -j 1 and -j 2 differ"
fi
if python3 "$HERE/manifest.py" "$m" "$TMP/a" "$DATA" "$TPL" 56; then
  ok "every row of the manifest matches its file"
else
  fail "manifest rows do not match the files"
fi

# Slices write their own manifests, never each other's; a real run's
# manifest is not replaced by a sample run's.
"$BIN" -q --shard 2/3 -o "$TMP/s" "$DATA"
if [ -f "$TMP/s/manifest-2023-SAMPLE-2-of-3.csv" ]; then ok "a slice writes manifest-2023-SAMPLE-2-of-3.csv"; else fail "slice manifest missing: $(ls "$TMP/s" | grep -v pdf)"; fi
"$BIN" -q -o "$TMP/r" "$SRC/data/ncmec-2023.xml"
before=$(sha256sum <"$TMP/r/manifest-2023.csv")
"$BIN" -q -o "$TMP/r" "$DATA"
if [ "$(sha256sum <"$TMP/r/manifest-2023.csv")" = "$before" ] && [ -f "$TMP/r/manifest-2023-SAMPLE.csv" ]; then
  ok "a sample run leaves the real run's manifest alone"
else
  fail "the real manifest was replaced"
fi

# The lock: held (by flock(1), as another run would hold it), a run of the
# same manifest exits 75 naming the holder and changes nothing; a run of
# another shard's manifest proceeds.
L=$TMP/l
"$BIN" -q -o "$L" "$DATA"
sum_before=$(cd "$L" && sha256sum -- * | sha256sum)
rc=0
flock "$L/.manifest-2023-SAMPLE.lock" sh -c 'echo "process 4242 on elsewhere" >"$1"; exec "$2" -q -o "$3" "$4"' \
  _ "$L/.manifest-2023-SAMPLE.lock" "$BIN" "$L" "$DATA" 2>"$TMP/lock.err" || rc=$?
if [ "$rc" -eq 75 ] && grep -q 'another statesheet run (process 4242 on elsewhere)' "$TMP/lock.err" &&
   [ "$(cd "$L" && sha256sum -- * | sha256sum)" = "$sum_before" ]; then
  ok "a second run of the same manifest exits 75, names the first, changes nothing"
else
  fail "a second run of the same manifest: exit $rc, $(head -c 300 "$TMP/lock.err")"
fi
rc=0
flock "$L/.manifest-2023-SAMPLE.lock" "$BIN" -q --shard 1/2 -o "$L" "$DATA" 2>"$TMP/lock2.err" || rc=$?
if [ "$rc" -eq 0 ] && [ -f "$L/manifest-2023-SAMPLE-1-of-2.csv" ]; then
  ok "another shard's run proceeds meanwhile"
else
  fail "another shard's run: exit $rc, $(head -c 300 "$TMP/lock2.err")"
fi

# A link planted at the lock file's name (hard or symbolic) is never
# written through: 73 before any sheet, the linked file untouched.
for kind in hard symbolic; do
  K=$TMP/k-$kind
  mkdir "$K"
  printf 'precious\n' >"$TMP/victim-$kind"
  if [ "$kind" = hard ]; then ln "$TMP/victim-$kind" "$K/.manifest-2023-SAMPLE.lock"
  else ln -s "$TMP/victim-$kind" "$K/.manifest-2023-SAMPLE.lock"; fi
  rc=0
  "$BIN" -q -o "$K" "$DATA" 2>"$TMP/k.err" || rc=$?
  if [ "$rc" -eq 73 ] && [ "$(cat "$TMP/victim-$kind")" = precious ] && ! ls "$K" | grep -q pdf &&
     grep -q 'a link has its name' "$TMP/k.err"; then
    ok "a $kind link at the lock file's name: exit 73, nothing written through it"
  else
    fail "a $kind link at the lock file's name: exit $rc, victim '$(head -c 20 "$TMP/victim-$kind")': $(head -c 300 "$TMP/k.err")"
  fi
done

# A sheet that cannot be made durable (the 25th fsync of a file fails,
# -j 1: the 25th sheet) over an earlier run: exit 74; last run's manifest
# is gone, no new one; 24 new sheets, 32 earlier ones, said so.
if [ -n "${SS_FAULT_SHIM:-}" ]; then
  if ldd "$BIN" | grep -q libasan; then export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0; fi
  F=$TMP/f
  "$BIN" -q -o "$F" "$DATA"
  rc=0
  SOURCE_DATE_EPOCH=1800000000 LD_PRELOAD=$SS_FAULT_SHIM SS_FAULT_KIND=fsync_file SS_FAULT_N=25 \
    "$BIN" -q -j 1 -o "$F" "$DATA" 2>"$TMP/f.err" || rc=$?
  new=$(grep -l 'CreationDate (D:2027' "$F"/*.pdf | wc -l)
  if [ "$rc" -eq 74 ] && [ ! -e "$F/manifest-2023-SAMPLE.csv" ] && [ "$new" -eq 24 ] &&
     grep -q "S025-2023-SAMPLE.pdf: error: cannot write the file: No space left on device" "$TMP/f.err" &&
     grep -q "24 of 56 sheets written; $F/ still holds 32 sheets of an earlier run; no manifest was written; run again" "$TMP/f.err" &&
     [ -z "$(find "$F" -name '.statesheet-*')" ]; then
    ok "a failed fsync part-way: exit 74, no manifest, 24 new sheets, the folder's mix said"
  else
    fail "a failed fsync part-way: exit $rc, $new new sheets, $(ls "$F" | grep -c manifest) manifests: $(head -c 400 "$TMP/f.err")"
  fi
  # The folder's sync after the last sheet fails (the first folder sync
  # withdraws the clean run's manifest): 74, and no manifest.
  "$BIN" -q -o "$F" "$DATA"
  rc=0
  LD_PRELOAD=$SS_FAULT_SHIM SS_FAULT_KIND=fsync_dir SS_FAULT_N=2 "$BIN" -q -j 1 -o "$F" "$DATA" 2>"$TMP/d.err" || rc=$?
  if [ "$rc" -eq 74 ] && [ ! -e "$F/manifest-2023-SAMPLE.csv" ] &&
     grep -q "cannot save the folder's new file names to disk: No space left on device" "$TMP/d.err"; then
    ok "a failed fsync of the folder: exit 74, no manifest"
  else
    fail "a failed fsync of the folder: exit $rc: $(head -c 300 "$TMP/d.err")"
  fi
else
  fail "SS_FAULT_SHIM is not set (ctest sets it to tests/fault/shim.c's library)"
fi
[ "$fails" -eq 0 ]
