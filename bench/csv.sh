#!/usr/bin/env bash
# bench/csv.sh - time and peak memory of `statesheet export` and `import`
# on FICTIONAL sample data of 1,000, 10,000 and 50,000 jurisdictions.
#
#   bench/csv.sh           builds build-bench/ (Release) and prints one table
#
# Each case runs 3 times; the table shows the fastest wall time and the
# largest peak resident memory (GNU time's %M).  Not part of the test suite.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
for tool in cmake /usr/bin/time /usr/bin/python3; do
  command -v "$tool" >/dev/null || { echo "bench/csv.sh: $tool is missing (apt-get install cmake time python3)" >&2; exit 1; }
done
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DSTATESHEET_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" >/dev/null
bin=build-bench/statesheet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# best CMD...: prints "seconds KB" (fastest wall time, largest peak RSS of 3 runs)
best() {
  local t m bt=999 bm=0
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null
    read -r t m <"$tmp/time"
    bt=$(echo "if ($t < $bt) $t else $bt" | bc)
    [ "$m" -gt "$bm" ] && bm=$m
  done
  echo "$bt $bm"
}

printf '%-8s %10s %10s %10s %12s %10s %12s\n' states "xml KB" "csv KB" "export s" "export MB" "import s" "import MB"
for n in 1000 10000 50000; do
  /usr/bin/python3 tools/make-sample.py --count "$n" --seed 2023 >"$tmp/d.xml"
  "$bin" export -q "$tmp/d.xml" -o "$tmp/d.csv"
  read -r et em < <(best "$bin" export -q "$tmp/d.xml" -o "$tmp/e.csv")
  read -r it im < <(best "$bin" import -q "$tmp/d.csv" -o "$tmp/i.xml")
  printf '%-8s %10s %10s %10s %12.1f %10s %12.1f\n' "$n" $(( $(stat -c %s "$tmp/d.xml") / 1024 )) \
    $(( $(stat -c %s "$tmp/d.csv") / 1024 )) "$et" "$(echo "$em / 1024" | bc -l)" "$it" \
    "$(echo "$im / 1024" | bc -l)"
done
