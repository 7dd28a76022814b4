#!/usr/bin/env bash
# The fault sweep: tests/fault/shim.c fails the Nth call of open, write,
# fsync, rename, close, mkdir, read or malloc in a 56-sheet --combined run
# into a folder holding an earlier run's output; tests/e2e/faults.py checks
# after each run that nothing is lost, stale, left behind or unexplained
# (tests/fault/README.md has the counts).
. "$(dirname "$0")/common.sh"
: "${SS_FAULT_SHIM:?set SS_FAULT_SHIM to the built libss_fault.so (ctest does)}"
# The ASan build (tools/test.sh's build-asan) links AddressSanitizer's
# malloc into the program, where the shim cannot reach it: faults.py skips
# the malloc kinds there, and runs fewer faults of each other kind (a run
# is about five times slower), with leak checks on.  (grep without -q:
# under pipefail, nm killed by a closed pipe would fail the test.)
if nm "$BIN" 2>/dev/null | grep ' __asan_init$' >/dev/null; then
  export SS_FAULT_ASAN=1 SS_FAULT_PER_KIND=${SS_FAULT_PER_KIND:-10}
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1"
fi
"$PY" "$HERE/faults.py" "$BIN" "$SS_FAULT_SHIM" "$SRC/data/samples/sample-56.xml" "$TMP"
