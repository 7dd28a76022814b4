#!/usr/bin/env bash
# AddressSanitizer's reports name files and lines: runs asan_symbols (a
# deliberate heap overflow) and looks for asan_symbols.c:LINE in the report.
#   asan_symbols.sh BINARY SOURCE
set -uo pipefail
bin=$1 src=$2
line=$(grep -n 'ASAN_SYMBOLS_OVERFLOW_LINE' "$src" | cut -d: -f1)
report=$("$bin" 2>&1)
rc=$?
if [ "$rc" -eq 0 ] || ! grep -q 'heap-buffer-overflow' <<<"$report"; then
  echo "FAIL - no AddressSanitizer report (status $rc):"
  echo "$report" | head -20
  exit 1
fi
if grep -q "asan_symbols\.c:$line" <<<"$report"; then
  echo "ok - the report names asan_symbols.c:$line"
  exit 0
fi
echo "FAIL - the report does not name asan_symbols.c:$line (is llvm-symbolizer"
echo "       installed, or ASAN_SYMBOLIZER_PATH set?):"
echo "$report" | grep -E '^ *#[0-9]' | head -5
exit 1
