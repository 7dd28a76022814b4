#!/usr/bin/env bash
# Every test: install what is missing, build with gcc, run the suite, run it
# again under de_DE.UTF-8, then build with clang under AddressSanitizer and
# UndefinedBehaviorSanitizer and run the suite once more.  Debian unstable's
# libxml2 headers are fetched first (when the network allows) for the
# libxml2_next test.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh test
# PDF.js for the reader tests, at the version tests/e2e/pdfjs/package-lock.json pins.
# Where the npm registry cannot be reached (no network, or a proxy whose
# certificate this machine does not trust), the PDF.js checks are skipped
# with a warning here and at the end, and every other reader still runs.
if ! cmp -s tests/e2e/pdfjs/package-lock.json tests/e2e/pdfjs/node_modules/.statesheet-lock; then
  if ! (cd tests/e2e/pdfjs && npm ci --no-audit --no-fund --omit=optional --loglevel=error &&
        cp package-lock.json node_modules/.statesheet-lock); then
    export SS_PDFJS_SKIP="npm could not install pdfjs-dist from the npm registry (see its error above)"
    echo "WARNING: $SS_PDFJS_SKIP; the PDF.js checks of e2e_readers and e2e_structure are skipped"
  fi
fi
werror=()
[ -n "${CI:-}" ] && werror=(-DSTATESHEET_WERROR=ON)
jobs=$(nproc)

echo "== Debian unstable's libxml2 headers (the libxml2_next test)"
tools/fetch-libxml2-next.sh || echo "(not fetched: the libxml2_next test will be skipped)"

echo "== gcc build"
CC=gcc cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo "${werror[@]}" >/dev/null
cmake --build build-test -j"$jobs" >/dev/null
(cd build-test && ctest --output-on-failure -j"$jobs")

echo "== the same under LC_ALL=de_DE.UTF-8"
(cd build-test && LC_ALL=de_DE.UTF-8 ctest --output-on-failure -j"$jobs" -R 'test_|e2e_reference|e2e_determinism')

echo "== clang build with AddressSanitizer + UndefinedBehaviorSanitizer"
CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSTATESHEET_SANITIZE=ON "${werror[@]}" >/dev/null
cmake --build build-asan -j"$jobs" >/dev/null
# ASan reports name files and lines only when llvm-symbolizer is found.
symbolizer=$(command -v llvm-symbolizer || true)
(cd build-asan && ASAN_SYMBOLIZER_PATH=$symbolizer ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 SS_SLOW_OK=1 \
   ctest --output-on-failure -j"$jobs")
if [ -n "${SS_PDFJS_SKIP:-}" ]; then
  echo "WARNING: the PDF.js checks were skipped: $SS_PDFJS_SKIP"
fi
