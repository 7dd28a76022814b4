#!/bin/bash
# Same inputs, same SOURCE_DATE_EPOCH -> the same bytes: run twice, -j 1 vs
# -j 2, three shards vs one run, and under a German locale (decimal comma)
# when one is installed, else C.UTF-8.
. "$(dirname "$0")/common.sh"
DATA=$SRC/data/samples/sample-56.xml
ND_DATA=$SRC/data/ncmec-2023.xml
export SOURCE_DATE_EPOCH=1700000000   # 2023-11-14T22:13:20Z
export LC_ALL=C
ok() { echo "ok   - $*"; }

# gen NAME [OPTIONS...]: run on the sample into $TMP/NAME; fail on non-zero.
gen() {
  local name=$1
  shift
  local rc=0
  "$BIN" -q -o "$TMP/$name" "$@" "$DATA" 2>"$TMP/$name.err" || rc=$?
  if [ "$rc" -ne 0 ]; then
    fail "run '$name' ($*) exit $rc: $(head -3 "$TMP/$name.err")"
    return 1
  fi
}

# same A B WHAT: both folders hold the same file names with the same bytes.
same() {
  local a=$TMP/$1 b=$TMP/$2 what=$3 diffs=0
  local la lb
  # Each run's manifest is named after its slice (manifest.h): compare sheets.
  la=$(cd "$a" && ls -A | { grep -v '^\.\?manifest-' || true; } | sort)
  lb=$(cd "$b" && ls -A | { grep -v '^\.\?manifest-' || true; } | sort)
  if [ "$la" != "$lb" ]; then
    fail "$what: file lists differ: $(diff <(echo "$la") <(echo "$lb") | grep '^[<>]' | head -3 | tr '\n' ' ')"
    return
  fi
  local n=0 f
  for f in $la; do
    n=$((n + 1))
    if ! cmp -s "$a/$f" "$b/$f"; then
      diffs=$((diffs + 1))
      [ "$diffs" -le 3 ] && echo "       $f differs: $(cmp "$a/$f" "$b/$f" 2>&1 | head -1)"
    fi
  done
  if [ "$diffs" -eq 0 ] && [ "$n" -gt 0 ]; then
    ok "$what: $n files byte-identical"
  else
    fail "$what: $diffs of $n files differ"
  fi
}

gen a -j 2 || true
gen b -j 2 || true
n=$(find "$TMP/a" -name '*.pdf' 2>/dev/null | wc -l)
if [ "$n" -eq 56 ]; then ok "first run: 56 PDFs"; else fail "first run: $n PDFs (want 56)"; fi
same a b "two runs, same SOURCE_DATE_EPOCH"

# The date comes from SOURCE_DATE_EPOCH (two runs in the same second would
# match even if it were ignored).
if [ -f "$TMP/a/S001-2023-SAMPLE.pdf" ]; then
  d=$(pdfinfo -isodates "$TMP/a/S001-2023-SAMPLE.pdf" | sed -n 's/^CreationDate: *//p')
  if [ "$d" = "2023-11-14T22:13:20Z" ]; then ok "CreationDate $d from SOURCE_DATE_EPOCH"; else fail "CreationDate '$d' (want 2023-11-14T22:13:20Z)"; fi
fi
"$BIN" -q -o "$TMP/nd1" "$ND_DATA"
SOURCE_DATE_EPOCH=1600000000 "$BIN" -q -o "$TMP/nd2" "$ND_DATA"
if cmp -s "$TMP/nd1/ND-2023.pdf" "$TMP/nd2/ND-2023.pdf"; then
  fail "another SOURCE_DATE_EPOCH gives the same bytes (date not in the file?)"
else
  ok "another SOURCE_DATE_EPOCH gives other bytes"
fi

gen j1 -j 1 || true
same a j1 "-j 1 vs -j 2"

# The combined file: made after the sheets with the caches of the worker
# that made some of them, so what each worker kept must not show.
for j in 1 2; do
  "$BIN" -q -j "$j" -o "$TMP/comb$j" --combined "$TMP/comb$j.pdf" "$DATA" 2>"$TMP/comb$j.err" ||
    fail "--combined -j $j: $(head -3 "$TMP/comb$j.err")"
done
if [ -s "$TMP/comb1.pdf" ] && cmp -s "$TMP/comb1.pdf" "$TMP/comb2.pdf"; then
  ok "--combined: -j 1 vs -j 2 byte-identical"
else
  fail "--combined: -j 1 vs -j 2 differ: $(cmp "$TMP/comb1.pdf" "$TMP/comb2.pdf" 2>&1 | head -1)"
fi

# Shards: disjoint, together exactly the full set, bytes as unsharded.
for k in 1 2 3; do gen "shard$k" --shard "$k/3" || true; done
all=$(cd "$TMP/a" && ls -A | { grep -v '^\.\?manifest-' || true; } | sort)
union=$(for k in 1 2 3; do (cd "$TMP/shard$k" && ls -A | { grep -v '^\.\?manifest-' || true; }); done | sort)
dups=$(echo "$union" | uniq -d | grep -c . || true)
counts=$(for k in 1 2 3; do ls -A "$TMP/shard$k" | wc -l; done | tr '\n' ' ')
if [ "$dups" -eq 0 ]; then ok "shards disjoint (sizes $counts)"; else fail "shards overlap: $dups files in more than one shard"; fi
if [ "$(echo "$union" | sort -u)" = "$all" ] && [ "$(echo "$all" | grep -c .)" -eq 56 ]; then
  ok "shards' union is exactly the 56 files"
else
  fail "shards' union differs from the full run: $(diff <(echo "$all") <(echo "$union" | sort -u) | grep '^[<>]' | head -3 | tr '\n' ' ')"
fi
for k in 1 2 3; do
  if [ "$(ls -A "$TMP/shard$k" | wc -l)" -eq 0 ]; then fail "shard $k/3 is empty"; fi
done
mkdir "$TMP/shards"
for k in 1 2 3; do cp "$TMP/shard$k"/* "$TMP/shards/" 2>/dev/null || true; done
same a shards "3 shards vs unsharded"

# Locale: a decimal comma must not reach a PDF number.
if locale -a 2>/dev/null | grep -qix 'de_DE\.utf-\?8'; then
  LC_ALL=de_DE.UTF-8 gen de -j 2 || true
  same a de "LC_ALL=de_DE.UTF-8 vs C"
else
  echo "note - de_DE.UTF-8 not installed (locale -a); skipping the German-locale comparison"
fi
LC_ALL=C.UTF-8 gen cutf8 -j 2 || true
same a cutf8 "LC_ALL=C.UTF-8 vs C"

if [ "$fails" -ne 0 ]; then
  echo "determinism: $fails check(s) FAILED"
  exit 1
fi
echo "determinism: all checks passed"
