#!/usr/bin/env bash
# bench/fsync.sh - what durability costs: the same batch written by the
# program as it is (fsync of each file and of its folder after the rename),
# by a copy without the folder fsync, and by a copy without any fsync.
#
#   bench/fsync.sh            56 and 10,000 jurisdictions (a few minutes)
#   bench/fsync.sh --quick    56 only
#
# The copies are built from the source in a temporary folder with the
# fsync calls of src/outfile.c removed by sed; the program itself is not
# changed.  Times are medians of wall-clock seconds (5 runs for 56 sheets,
# 3 for 10,000), -j 2, into a fresh folder on the file system of $TMPDIR.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
quick=0
[ "${1:-}" = --quick ] && quick=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SOURCE_DATE_EPOCH=1700000000 STATESHEET_ASSETS="$root/assets"

build() { # NAME SED-EXPRESSION
    mkdir -p "$tmp/$1"
    cp -r "$root/CMakeLists.txt" "$root/src" "$root/assets" "$tmp/$1/"
    [ -n "$2" ] && sed -i "$2" "$tmp/$1/src/outfile.c"
    cmake -S "$tmp/$1" -B "$tmp/$1/b" -DCMAKE_BUILD_TYPE=Release -DSTATESHEET_TESTS=OFF >/dev/null
    cmake --build "$tmp/$1/b" -j2 >/dev/null
}
build full ''
build nodir 's/(void)fsync(fd);/;/'
build none 's/(void)fsync(fd);/;/; s/|| fsync(fd) != 0)/)/'

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
bench() { # COUNT RUNS
    python3 "$root/tools/make-sample.py" --count "$1" --seed 2023 >"$tmp/d$1.xml"
    for v in full nodir none; do
        for r in $(seq 1 "$2"); do
            rm -rf "$tmp/out"
            s=$(date +%s.%N)
            "$tmp/$v/b/statesheet" -q -j 2 -o "$tmp/out" "$tmp/d$1.xml"
            echo "$(date +%s.%N) - $s" | bc
        done | median | xargs printf "%6d sheets  %-6s %8.2f s\n" "$1" "$v"
    done
}
echo "file system of the output: $(df -T "$tmp" | awk 'NR==2 {print $2}'), load $(cut -d' ' -f1-3 /proc/loadavg)"
bench 56 5
[ "$quick" = 1 ] || bench 10000 3
