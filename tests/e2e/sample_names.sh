#!/bin/bash
# Sample sheets can never take a real sheet's place: a trial file marked
# sample="true" but left at last year's year, run into the folder of the
# real sheets, writes ND-2023-SAMPLE.pdf and leaves ND-2023.pdf untouched;
# the summary says how many existing files a run replaced; the progress
# line on a terminal names the files as they are (-SAMPLE.pdf).
. "$(dirname "$0")/common.sh"
ok() { echo "ok   - $*"; }

"$BIN" -o "$TMP/out" "$SRC/data/ncmec-2023.xml" >"$TMP/first.out"
real=$(sha256sum <"$TMP/out/ND-2023.pdf")
grep -q "replaced" "$TMP/first.out" && fail "a first run into an empty folder says it replaced files: $(cat "$TMP/first.out")"

# The slip: the real file, marked as sample data, same year.
sed 's/<statedata year="2023">/<statedata year="2023" sample="true">/' \
  "$SRC/data/ncmec-2023.xml" >"$TMP/trial.xml"
grep -q 'sample="true"' "$TMP/trial.xml" || fail "could not make the trial file"
"$BIN" -o "$TMP/out" "$TMP/trial.xml" >"$TMP/trial.out"
if [ "$(sha256sum <"$TMP/out/ND-2023.pdf")" = "$real" ]; then
  ok "a sample run into out/ leaves the real ND-2023.pdf untouched"
else
  fail "the real ND-2023.pdf was changed by a sample run"
fi
text=$(pdftotext "$TMP/out/ND-2023-SAMPLE.pdf" - 2>/dev/null || true)
if [[ "$text" == *"SAMPLE DATA"* ]]; then
  ok "the sample sheet is ND-2023-SAMPLE.pdf and carries the SAMPLE mark"
else
  fail "no ND-2023-SAMPLE.pdf with the SAMPLE mark: $(ls "$TMP/out")"
fi
grep -q "replaced" "$TMP/trial.out" && fail "the sample run says it replaced files: $(cat "$TMP/trial.out")"

# Running the real file again replaces one file and says so; with a
# combined file into the same folder, two.
"$BIN" -o "$TMP/out" "$SRC/data/ncmec-2023.xml" >"$TMP/again.out"
if grep -q "(1 existing file replaced)" "$TMP/again.out"; then
  ok "the summary counts the replaced sheet: $(cat "$TMP/again.out")"
else
  fail "summary without '(1 existing file replaced)': $(cat "$TMP/again.out")"
fi
"$BIN" -o "$TMP/out" --combined "$TMP/out/all.pdf" "$SRC/data/ncmec-2023.xml" >/dev/null
"$BIN" -o "$TMP/out" --combined "$TMP/out/all.pdf" "$SRC/data/ncmec-2023.xml" >"$TMP/comb.out"
if grep -q "(2 existing files replaced)" "$TMP/comb.out"; then
  ok "the combined file is counted too"
else
  fail "summary without '(2 existing files replaced)': $(cat "$TMP/comb.out")"
fi

# The progress line (on a terminal: a pseudo-terminal from Python's pty;
# shown once a run lasts half a second, so 3,000 sheets: 600 took less on
# a fresh root's tmpfs, where an fsync costs nothing) names each sheet's
# real file.
if true; then
  "$PY" "$SRC/tools/make-sample.py" --count 3000 --seed 5 >"$TMP/big.xml"
  "$PY" - "$BIN" -j 2 -o "$TMP/p" "$TMP/big.xml" >"$TMP/prog.out" <<'EOF' || true
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
EOF
  names=$(tr '\r' '\n' <"$TMP/prog.out" | grep -o '^.*\] S[0-9]*-2023[^ ]*' | sed 's/.*\] //' | sort -u || true)
  wrong=$(echo "$names" | grep -cv -- '-2023-SAMPLE\.pdf$' || true)
  if [ -n "$names" ] && [ "$wrong" -eq 0 ]; then
    ok "the progress line names the files as written ($(echo "$names" | head -1), ...)"
  else
    fail "the progress line names $wrong files not as written: $(echo "$names" | head -3 | tr '\n' ' ')"
  fi
else
  fail "script(1) is missing (bsdutils)"
fi
[ "$fails" -eq 0 ]
