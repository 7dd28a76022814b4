#!/bin/bash
# A large --combined file (issue 22): one libharu document made in memory,
# so memory grows with the pages, about 60 KB a page (README.md).  Peak
# resident memory of `-q -o DIR --combined DIR/all.pdf` on 2,000 FICTIONAL
# states is within PER_PAGE_KB a page of that on 50: a page that kept
# twice what it should, or a copy of the file per page, fails.  Memory,
# not time: nothing here is timed.
# The 2,000-page file is checked too: qpdf --check, its bookmarks, PDFBox
# Preflight (PDF/A-1 allows 8,191 elements in an array: the parent tree
# has two a page, so SS_COMBINED_MAX_PAGES is 4,000), and its structure
# in pdfinfo -struct: Document > 2,000 Part.
# Skipped under AddressSanitizer, whose quarantine keeps freed memory
# resident on purpose.
. "$(dirname "$0")/common.sh"
PER_PAGE_KB=${PER_PAGE_KB:-100}
if grep -q __asan_init "$BIN"; then
  echo "ok   - skipped: AddressSanitizer build (its quarantine keeps freed memory)"
  exit 0
fi
ok() { echo "ok   - $*"; }
PY=/usr/bin/python3 # Debian's, with pikepdf

for n in 50 2000; do
  python3 "$SRC/tools/make-sample.py" --count "$n" --seed 12 >"$TMP/d$n.xml"
  peak "with[$n]" "$BIN" -q -j 2 -o "$TMP/o$n" --combined "$TMP/o$n/all.pdf" "$TMP/d$n.xml"
done
grow=$(( (with[2000] - with[50]) / 1950 ))
if [ "$grow" -le "$PER_PAGE_KB" ]; then
  ok "--combined: peak $((with[50] / 1024)) MB at 50 states, $((with[2000] / 1024)) MB at 2,000: $grow KB a page (limit $PER_PAGE_KB)"
else
  fail "--combined: peak $((with[50] / 1024)) MB at 50 states, $((with[2000] / 1024)) MB at 2,000: $grow KB a page, more than $PER_PAGE_KB"
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
shape="$(count '^Document') $(count '^  Part$') $(count '^    H1 (block)$') $(count 'Div')"
if [ "$shape" = "1 2000 2000 0" ]; then
  ok "the 2,000-page file's structure: Document > 2,000 Part, one H1 in each"
else
  fail "the 2,000-page file's structure: Document, Part, H1, Div counted $shape (want 1 2000 2000 0)"
fi
# Stopped while the combined file is being made (once every sheet is in
# place): exit 143, no temporary file, no all.pdf.
"$BIN" -q -j 2 -o "$TMP/o5" --combined "$TMP/o5/all.pdf" "$TMP/d2000.xml" 2>"$TMP/sig.err" & p=$!
seen=0
for _ in $(seq 1 1200); do
  if [ "$(ls "$TMP/o5" 2>/dev/null | grep -c -- '-SAMPLE\.pdf$')" -eq 2000 ]; then seen=1; break; fi
  sleep 0.05
done
kill -TERM $p 2>/dev/null || true
rc=0; wait $p || rc=$?
left=$(ls -a "$TMP/o5" | grep -c '\.tmp$' || true)
if [ "$seen" = 1 ] && [ "$rc" -eq 143 ] && [ "$left" -eq 0 ] && [ ! -e "$TMP/o5/all.pdf" ]; then
  ok "SIGTERM while the combined file is made: exit 143, no temporary file, no all.pdf"
else
  fail "SIGTERM during the combined file: sheets seen $seen, exit $rc, left: $(ls -a "$TMP/o5" | grep -E '\.tmp$|all\.pdf' | tr '\n' ' ')"
fi
if [ "$(ls -a "$TMP/o2000" | grep -c '\.tmp$' || true)" -ne 0 ]; then fail "a temporary file was left"; else ok "no temporary file left"; fi
[ "$fails" -eq 0 ]
