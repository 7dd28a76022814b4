#!/usr/bin/env bash
# bench/batch-pair.sh - the 56-sheet batch against the floor as a paired
# ratio: `statesheet -q -j CORES` on 56 fictional states (A) and the floor
# program making 56 sheets (B, bench/floor.c) run alternately, each a whole
# process, and the median of the per-pair ratios A/B printed (bench/pair.c).
# A pair shares the machine's state of the moment, so the ratio holds up on
# a machine whose speed drifts far better than two medians taken minutes
# apart (bench/run.sh's table).  Both write into the same folder every run
# (replacing last run's files).  Target (issues 9 and 14): <= 0.10.
#
#   bench/batch-pair.sh [PAIRS]       default 40
#
# Builds like bench/run.sh; installs nothing; not part of the test suite.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
pairs=${1:-40}
for t in cmake cc python3; do
    command -v "$t" >/dev/null || { echo "bench/batch-pair.sh: $t is missing" >&2; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/statesheet-batch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
{ cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DSTATESHEET_TESTS=OFF &&
  cmake --build build-bench -j "$(nproc)"; } >"$tmp/build.log" 2>&1 ||
    { cat "$tmp/build.log" >&2; exit 1; }
cc -O2 -Wall -o build-bench/pair bench/pair.c
cc -O2 -Wall -o build-bench/floor bench/floor.c -lhpdf
python3 tools/make-sample.py --count 56 --seed 2023 >"$tmp/s56.xml"
mkdir -p "$tmp/a" "$tmp/b"
export SOURCE_DATE_EPOCH=1700000000
cores=$(nproc)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $cores cores"
echo "A = statesheet -q -j $cores (56 sheets)    B = floor (56 sheets, bench/floor.c)"
build-bench/pair "$pairs" -- build-bench/statesheet -q -j "$cores" -o "$tmp/a" "$tmp/s56.xml" \
    -- build-bench/floor "$tmp/b" 56
