#!/usr/bin/env bash
# bench/combined.sh - peak memory, time and size of `--combined` on
# FICTIONAL sample data of 56, 1,000 and 4,000 jurisdictions (or the
# counts given; 4,000 is the most one combined file holds), against the
# same run without it.
#
#   bench/combined.sh [N...]   builds build-bench/ (Release), prints one table
#
# Each case runs once, -j 2, SOURCE_DATE_EPOCH set: memory (GNU time's %M)
# does not move with the machine's load; the times do.  Not part of the
# test suite (tests/e2e/combined_large.sh asserts the memory a page).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
for tool in cmake /usr/bin/time /usr/bin/python3; do
  command -v "$tool" >/dev/null || { echo "bench/combined.sh: $tool is missing (apt-get install cmake time python3)" >&2; exit 1; }
done
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DSTATESHEET_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" >/dev/null
bin=build-bench/statesheet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SOURCE_DATE_EPOCH=1700000000
[ $# -gt 0 ] || set -- 56 1000 4000

# run OUT [ARGS...]: prints "seconds KB" of one run writing into OUT
run() {
  local out=$1
  shift
  rm -rf "$out"
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$bin" -q -j 2 -o "$out" "$@" >/dev/null
  cat "$tmp/time"
}

printf '%-8s %12s %12s %10s %12s %12s %14s\n' states "sheets s" "sheets MB" "+comb. s" \
  "+comb. MB" "comb. extra" "combined bytes"
for n in "$@"; do
  /usr/bin/python3 tools/make-sample.py --count "$n" >"$tmp/d.xml"
  read -r st sm < <(run "$tmp/o" "$tmp/d.xml")
  read -r ct cm < <(run "$tmp/o" --combined "$tmp/o/all.pdf" "$tmp/d.xml")
  printf '%-8s %12s %12.1f %10s %12.1f %9.1f MB %14s\n' "$n" "$st" "$(echo "$sm / 1024" | bc -l)" \
    "$ct" "$(echo "$cm / 1024" | bc -l)" "$(echo "($cm - $sm) / 1024" | bc -l)" \
    "$(stat -c %s "$tmp/o/all.pdf")"
done
