#!/bin/bash
# --combined is written page by page (issue 12): memory stays flat in the
# number of states.  Peak resident memory of `-q -o DIR --combined
# DIR/all.pdf` on 2,000 FICTIONAL states is within LIMIT_MB of that on 50,
# and within COMBINED_MB of the same run without --combined.  Building the
# combined file in memory (libharu saves a document only whole) cost ~70 KB
# a page: +141 MB at 2,000 states, and fails both.  Memory, not time:
# nothing here is timed.
# The 2,000-page file is checked too: qpdf --check, its bookmarks, PDFBox
# Preflight (PDF/A-1 allows 8,191 elements in an array, so a file of more
# than 1,000 pages has its page tree, structure and parent tree in groups:
# Document > Div > Part, see combine.c), and that shape in pdfinfo -struct.
# Skipped under AddressSanitizer, whose quarantine keeps freed memory
# resident on purpose.
. "$(dirname "$0")/common.sh"
LIMIT_MB=${LIMIT_MB:-10}
COMBINED_MB=${COMBINED_MB:-4}
if grep -q __asan_init "$BIN"; then
  echo "ok   - skipped: AddressSanitizer build (its quarantine keeps freed memory)"
  exit 0
fi
ok() { echo "ok   - $*"; }
PY=/usr/bin/python3 # Debian's, with pikepdf

# peak KB of one run of the command (GNU time's %M, the child's ru_maxrss)
peak() {
  /usr/bin/time -f %M -o "$TMP/peak" "$@" >/dev/null || { echo "command failed: $*" >&2; exit 1; }
  cat "$TMP/peak"
}

for n in 50 2000; do
  python3 "$SRC/tools/make-sample.py" --count "$n" --seed 12 >"$TMP/d$n.xml"
  with[$n]=$(peak "$BIN" -q -j 2 -o "$TMP/o$n" --combined "$TMP/o$n/all.pdf" "$TMP/d$n.xml")
done
without=$(peak "$BIN" -q -j 2 -o "$TMP/plain" "$TMP/d2000.xml")

grow=$(( with[2000] - with[50] ))
if [ "$grow" -lt $(( LIMIT_MB * 1024 )) ]; then
  ok "--combined: peak $((with[50] / 1024)) MB at 50 states, $((with[2000] / 1024)) MB at 2,000 (+$((grow / 1024)) MB, limit +$LIMIT_MB)"
else
  fail "--combined: peak $((with[50] / 1024)) MB at 50 states, $((with[2000] / 1024)) MB at 2,000 (+$((grow / 1024)) MB, more than +$LIMIT_MB): the combined file is held in memory"
fi
extra=$(( with[2000] - without ))
if [ "$extra" -lt $(( COMBINED_MB * 1024 )) ]; then
  ok "2,000 states: --combined adds $(awk -v k="$extra" 'BEGIN { printf "%.1f", k / 1024 }') MB to the run's peak (limit $COMBINED_MB MB)"
else
  fail "2,000 states: --combined adds $((extra / 1024)) MB to the run's peak (more than $COMBINED_MB MB)"
fi

f="$TMP/o2000/all.pdf"
pages=$(pdfinfo "$f" 2>/dev/null | awk '/^Pages:/ {print $2}')
if qpdf --check "$f" >/dev/null 2>&1 && [ "$pages" = 2000 ]; then
  ok "the 2,000-page file: qpdf --check clean, $pages pages"
else
  fail "the 2,000-page file: qpdf --check or pages wrong ($pages pages)"
fi
if "$PY" "$HERE/outline.py" "$f" "$TMP/d2000.xml" >/dev/null; then
  ok "the 2,000-page file: one bookmark per state, in data order, each on its page"
else
  fail "the 2,000-page file: bookmarks wrong: $("$PY" "$HERE/outline.py" "$f" "$TMP/d2000.xml" 2>&1 | tail -2)"
fi
J=/usr/share/java
PREFLIGHT_CP=$J/preflight.jar:$J/pdfbox2.jar:$J/fontbox2.jar:$J/xmpbox.jar:$J/commons-logging.jar:$J/javax.activation.jar:$J/jaxb-api.jar
if java -cp "$PREFLIGHT_CP" org.apache.pdfbox.preflight.Validator_A1b "$f" >"$TMP/preflight" 2>&1 &&
   grep -q "is a valid PDF/A-1b file" "$TMP/preflight"; then
  ok "the 2,000-page file: PDFBox Preflight says valid PDF/A-1b"
else
  fail "the 2,000-page file: not valid PDF/A-1b: $(head -4 "$TMP/preflight")"
fi
pdfinfo -struct "$f" >"$TMP/struct" 2>&1
count() { grep -c "$1" "$TMP/struct" || true; }
shape="$(count '^Document') $(count '^  Div$') $(count '^    Part$') $(count '^      H1 (block)$')"
if [ "$shape" = "1 2 2000 2000" ]; then
  ok "the 2,000-page file's structure: Document > 2 Div > 2,000 Part, one H1 in each"
else
  fail "the 2,000-page file's structure: Document, Div, Part, H1 counted $shape (want 1 2 2000 2000)"
fi
# Stopped while the combined file is being written (it now stays open for
# the whole combined part): exit 143, its temporary file removed, no
# all.pdf.
"$BIN" -q -j 2 -o "$TMP/o5" --combined "$TMP/o5/all.pdf" "$TMP/d2000.xml" 2>"$TMP/sig.err" & p=$!
grown=0
for _ in $(seq 1 600); do
  t=$(ls -a "$TMP/o5" 2>/dev/null | grep -- '-all\.tmp$' || true)
  if [ -n "$t" ] && [ "$(stat -c %s "$TMP/o5/$t" 2>/dev/null || echo 0)" -gt 1000000 ]; then grown=1; break; fi
  sleep 0.1
done
kill -TERM $p 2>/dev/null || true
rc=0; wait $p || rc=$?
left=$(ls -a "$TMP/o5" | grep -c '\.tmp$' || true)
if [ "$grown" = 1 ] && [ "$rc" -eq 143 ] && [ "$left" -eq 0 ] && [ ! -e "$TMP/o5/all.pdf" ]; then
  ok "SIGTERM while the combined file is written (past 1 MB): exit 143, no temporary file, no all.pdf"
else
  fail "SIGTERM during the combined write: seen growing $grown, exit $rc, left: $(ls -a "$TMP/o5" | grep -E '\.tmp$|all\.pdf' | tr '\n' ' ')"
fi
if [ "$(ls -a "$TMP/o2000" | grep -c '\.tmp$' || true)" -ne 0 ]; then fail "a temporary file was left"; else ok "no temporary file left"; fi
[ "$fails" -eq 0 ]
