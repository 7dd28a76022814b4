#!/usr/bin/env bash
# bench/one-sheet.sh - one real sheet as a whole process, against the floor
# of any run: `statesheet -s ND data/ncmec-2023.xml` / `statesheet --version`
# (the same binary with its libraries loaded), as a paired ratio of wall
# clock and of CPU time (bench/pair.c).  Target (issue 13): <= 1.5.
#
#   bench/one-sheet.sh [RUNS]       default 300 pairs
#
# Builds a Release binary into build-bench/ like bench/run.sh; installs
# nothing.  Not part of the test suite.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs=${1:-300}
for t in cmake cc; do
    command -v "$t" >/dev/null || { echo "bench/one-sheet.sh: $t is missing" >&2; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/statesheet-one.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
{ cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DSTATESHEET_TESTS=OFF &&
  cmake --build build-bench -j "$(nproc)"; } >"$tmp/build.log" 2>&1 ||
    { cat "$tmp/build.log" >&2; exit 1; }
cc -O2 -Wall -o build-bench/pair bench/pair.c
export SOURCE_DATE_EPOCH=1700000000
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
echo "A = statesheet -q -s ND -o TMP data/ncmec-2023.xml    B = statesheet --version"
build-bench/pair "$runs" -- build-bench/statesheet -q -s ND -o "$tmp/out" data/ncmec-2023.xml \
    -- build-bench/statesheet --version
