#!/bin/bash
# PDF/A-1b (PDFBox Preflight) for every sample sheet, the hard cases
# included, and for a --combined file; every font's CIDSet against its
# program (cidset.py); the combined file's pages and bookmarks; file sizes
# (ND <= 24000 bytes, issue 22; each sample sheet <= 30000).
. "$(dirname "$0")/common.sh"
DATA=$SRC/data/samples/sample-56.xml
ND_MAX=24000
SAMPLE_MAX=30000
J=/usr/share/java
PREFLIGHT_CP=$J/preflight.jar:$J/pdfbox2.jar:$J/fontbox2.jar:$J/xmpbox.jar:$J/commons-logging.jar:$J/javax.activation.jar:$J/jaxb-api.jar
ok() { echo "ok   - $*"; }

for jar in preflight pdfbox2 fontbox2 xmpbox; do
  if [ ! -r "$J/$jar.jar" ]; then
    echo "FAIL - $J/$jar.jar missing (install libpdfbox2-java)"
    exit 1
  fi
done

rc=0
"$BIN" -q -o "$TMP/out" --combined "$TMP/combined.pdf" "$DATA" 2>"$TMP/run.err" || rc=$?
if [ "$rc" -eq 0 ]; then ok "statesheet --combined exit 0"; else fail "statesheet --combined exit $rc: $(head -3 "$TMP/run.err")"; fi
rc=0
"$BIN" -q -o "$TMP/nd" "$SRC/data/ncmec-2023.xml" 2>"$TMP/nd.err" || rc=$?
if [ "$rc" -eq 0 ]; then ok "statesheet (ncmec-2023.xml) exit 0"; else fail "statesheet (ncmec-2023.xml) exit $rc: $(head -3 "$TMP/nd.err")"; fi

shopt -s nullglob
sheets=("$TMP"/out/*.pdf)
if [ "${#sheets[@]}" -eq 56 ]; then ok "56 sample sheets"; else fail "${#sheets[@]} sample sheets (want 56)"; fi
files=("${sheets[@]}" "$TMP"/nd/*.pdf)
[ -f "$TMP/combined.pdf" ] && files+=("$TMP/combined.pdf")

# Preflight, one JVM per file (Validator_A1b checks only its first
# argument), two at a time.  Each file's verdict goes to FILE.preflight.
t0=$(date +%s.%N)
printf '%s\0' "${files[@]}" | xargs -0 -P 2 -I{} sh -c \
  'java -cp "$1" org.apache.pdfbox.preflight.Validator_A1b "$2" >"$2.preflight" 2>&1; echo $? >"$2.rc"' \
  _ "$PREFLIGHT_CP" {}
t1=$(date +%s.%N)
valid=0
for f in "${files[@]}"; do
  r=$(cat "$f.rc" 2>/dev/null || echo missing)
  if [ "$r" = 0 ] && grep -q "is a valid PDF/A-1b file" "$f.preflight"; then
    valid=$((valid + 1))
  else
    fail "Preflight: $(basename "$f") is not valid PDF/A-1b (exit $r):"
    head -6 "$f.preflight" | sed 's/^/       /'
  fi
done
ok "Preflight ran on ${#files[@]} files in $(echo "$t1 - $t0" | bc) s; $valid valid"
if [ "$valid" -eq "${#files[@]}" ] && [ "$valid" -ge 58 ]; then
  ok "Preflight: all ${#files[@]} files (56 sheets, ND, combined) are valid PDF/A-1b"
fi

# Every CIDSet names every glyph its font program holds (Preflight does
# not look).
if "$PY" "$HERE/cidset.py" "${files[@]}"; then
  ok "CIDSets"
else
  fail "a CIDSet leaves out glyphs its font program holds (see above)"
fi

# The combined file: 56 pages, 56 bookmarks in data order.
if [ -f "$TMP/combined.pdf" ]; then
  if "$PY" "$HERE/outline.py" "$TMP/combined.pdf" "$DATA"; then
    ok "combined file: pages and bookmarks"
  else
    fail "combined file: pages or bookmarks wrong (see above)"
  fi
  # The fonts are cut once for all its pages: one embedded subset a face.
  faces=$(pdffonts "$TMP/combined.pdf" 2>/dev/null | awk 'NR > 2 && $(NF-4) == "yes" && $(NF-3) == "yes" {print $1}' | sed 's/^[A-Z]*+//' | sort | tr '\n' ' ')
  if [ "$faces" = "StatesheetSans-Bold StatesheetSans-Regular " ]; then
    ok "combined file: one embedded subset font a face ($faces)"
  else
    fail "combined file: fonts '$faces' (want one embedded subset of each face)"
  fi
else
  fail "no combined file written"
fi

# Sizes.
nd=$TMP/nd/ND-2023.pdf
if [ -f "$nd" ]; then
  s=$(stat -c %s "$nd")
  if [ "$s" -le "$ND_MAX" ]; then ok "ND-2023.pdf is $s bytes (<= $ND_MAX)"; else fail "ND-2023.pdf is $s bytes (want <= $ND_MAX)"; fi
fi
if [ "${#sheets[@]}" -gt 0 ]; then
  big=0
  min=999999999 max=0 maxf=
  for f in "${sheets[@]}"; do
    s=$(stat -c %s "$f")
    [ "$s" -lt "$min" ] && min=$s
    if [ "$s" -gt "$max" ]; then max=$s; maxf=$(basename "$f"); fi
    if [ "$s" -gt "$SAMPLE_MAX" ]; then
      big=$((big + 1))
      [ "$big" -le 3 ] && echo "       $(basename "$f"): $s bytes"
    fi
  done
  if [ "$big" -eq 0 ]; then
    ok "sample sheets $min..$max bytes (largest $maxf), all <= $SAMPLE_MAX"
  else
    fail "$big sample sheets over $SAMPLE_MAX bytes (sizes $min..$max, largest $maxf)"
  fi
fi
[ -f "$TMP/combined.pdf" ] && echo "note - combined file is $(stat -c %s "$TMP/combined.pdf") bytes"

if [ "$fails" -ne 0 ]; then
  echo "pdfa: $fails check(s) FAILED"
  exit 1
fi
echo "pdfa: all checks passed"
