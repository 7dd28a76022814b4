#!/usr/bin/env bash
# bench/profile.sh - where statesheet's time goes, in instructions.
#
#   bench/profile.sh [--count N] [--keep]
#
# Runs valgrind's callgrind (it counts instructions: the same count on a
# busy machine as on an idle one, so two builds compare exactly) on
#   - statesheet making N sheets (default 56) of FICTIONAL sample data with
#     -j 1, and
#   - the floor program (bench/floor.c) making the same number of sheets,
#   - one real sheet as a user makes it (statesheet -s ND on
#     data/ncmec-2023.xml: a whole process, fixed costs included), and the
#     floor program making 1 sheet,
# and prints, for each: the total instructions, the instructions per sheet,
# the top 25 functions by inclusive and by self cost (callgrind_annotate),
# and the self cost summed per shared object (ours, libhpdf, libz, libxml2,
# libc, ...).  Builds build-bench/ like bench/run.sh does.  --keep leaves
# the callgrind.out files for kcachegrind / callgrind_annotate.
set -euo pipefail

count=56
keep=0
while (($#)); do
    case "$1" in
    --count) count=${2:?--count needs a number}; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/profile.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
    esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PY=/usr/bin/python3

missing=() pkgs=()
for c in cmake:cmake cc:gcc valgrind:valgrind callgrind_annotate:valgrind "$PY":python3; do
    command -v "${c%%:*}" >/dev/null 2>&1 || { missing+=("${c%%:*}"); pkgs+=("${c##*:}"); }
done
if ((${#missing[@]})); then
    echo "bench/profile.sh: missing: ${missing[*]}" >&2
    echo "install with:  apt-get install -y ${pkgs[*]}" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/statesheet-profile.XXXXXX")
cleanup() { if ((keep)); then echo "kept: $tmp" >&2; else rm -rf "$tmp"; fi; }
trap cleanup EXIT

echo "building build-bench/ (Release) ..." >&2
if ! { cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DSTATESHEET_TESTS=OFF &&
       cmake --build build-bench -j "$(nproc)" &&
       cc -O2 -Wall -o build-bench/floor bench/floor.c -lhpdf; } >"$tmp/build.log" 2>&1; then
    cat "$tmp/build.log" >&2
    echo "bench/profile.sh: the build failed" >&2
    exit 1
fi

export SOURCE_DATE_EPOCH=1700000000
"$PY" tools/make-sample.py --count "$count" --seed 2023 >"$tmp/sample.xml"

# profile NAME CMD...: callgrind on CMD; fails if CMD fails.
profile() {
    local name=$1
    shift
    echo "callgrind: $name ..." >&2
    if ! valgrind --tool=callgrind --callgrind-out-file="$tmp/callgrind.out.$name" \
        "$@" >"$tmp/$name.stdout" 2>"$tmp/$name.valgrind"; then
        cat "$tmp/$name.stdout" "$tmp/$name.valgrind" >&2
        echo "bench/profile.sh: $name failed under valgrind" >&2
        exit 1
    fi
}

profile statesheet build-bench/statesheet -q -j 1 -o "$tmp/out-statesheet" "$tmp/sample.xml"
profile floor build-bench/floor "$tmp/out-floor" "$count"
profile nd build-bench/statesheet -q -s ND -o "$tmp/out-nd" data/ncmec-2023.xml
profile floor1 build-bench/floor "$tmp/out-floor1" 1

# report NAME SHEETS TITLE
report() {
    local name=$1 n=$2 f="$tmp/callgrind.out.$1"
    echo
    echo "================================================================================"
    echo "$3"
    echo "================================================================================"
    "$PY" - "$f" "$n" <<'EOF'
import sys
f, n = sys.argv[1], int(sys.argv[2])
total = 0
for line in open(f):
    if line.startswith("totals:") or line.startswith("summary:"):
        total = int(line.split()[1])
print(f"total instructions: {total:,}  ({total / n:,.0f} per sheet)")
EOF
    echo
    echo "-- self cost per shared object --"
    callgrind_annotate --threshold=100 "$f" 2>/dev/null | "$PY" -c '
import re, sys, collections
tot, by = 0, collections.Counter()
for line in sys.stdin:
    m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*?)\s*(?:\[(.*)\])?\s*$", line)
    if not m:
        continue
    ir = int(m.group(1).replace(",", ""))
    if m.group(2) == "PROGRAM TOTALS":
        tot = ir
        continue
    obj = (m.group(3) or "?").rsplit("/", 1)[-1]
    by[obj] += ir
for obj, ir in by.most_common(12):
    print(f"{ir:>14,} {100 * ir / tot:6.2f}%  {obj}")
'
    echo
    echo "-- top 25 functions by inclusive cost --"
    callgrind_annotate --inclusive=yes --threshold=100 "$f" 2>/dev/null |
        sed -n '/file:function/,$p' | sed -n '3,27p'
    echo
    echo "-- top 25 functions by self cost --"
    callgrind_annotate --threshold=100 "$f" 2>/dev/null |
        sed -n '/file:function/,$p' | sed -n '3,27p'
}

report statesheet "$count" "statesheet -j 1: $count sheets (sample data)"
report floor "$count" "floor: $count sheets"
report nd 1 "statesheet -s ND data/ncmec-2023.xml: one real sheet, whole process"
report floor1 1 "floor: 1 sheet, whole process"

echo
echo "-- summary (instructions) --"
"$PY" - "$tmp" "$count" <<'EOF'
import sys
tmp, n = sys.argv[1], int(sys.argv[2])
def total(name):
    for line in open(f"{tmp}/callgrind.out.{name}"):
        if line.startswith(("totals:", "summary:")):
            return int(line.split()[1])
s, f, nd, f1 = (total(x) for x in ("statesheet", "floor", "nd", "floor1"))
print(f"statesheet {n} sheets -j 1: {s:>15,}   floor {n}: {f:>15,}   ratio {s / f:.3f}")
print(f"statesheet -s ND:        {nd:>15,}   floor 1:  {f1:>15,}   ratio {nd / f1:.3f}")
print("(ratios of instructions on one thread; bench/run.sh gives the wall-clock ratios,"
      " which also count the second core)")
EOF
