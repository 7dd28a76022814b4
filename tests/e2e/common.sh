# tests/e2e/common.sh - how every end-to-end script starts; sourced first:
#
#     . "$(dirname "$0")/common.sh"
#
# Stops at the first failing command (set -euo pipefail) and sets
#   HERE  this folder            SRC  the source tree (SS_SOURCE_DIR)
#   BIN   the built statesheet (SS_BINARY, set by ctest)
#   PY    Debian's python3 (its pdfminer, pikepdf, pypdf, fontTools)
#   TMP   a new folder, removed when the script exits
# and a fixed SOURCE_DATE_EPOCH (byte-identical PDFs).  ok and fail print
# one line each; fail counts into $fails, which the script turns into its
# exit status at the end.  peak measures a command's memory.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${SS_SOURCE_DIR:-$(cd "$HERE/../.." && pwd)}
BIN=${SS_BINARY:?set SS_BINARY to the built statesheet}
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export SOURCE_DATE_EPOCH=1700000000
fails=0
ok() { echo "ok - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }

# peak VAR COMMAND...: runs the command (its output thrown away) and sets
# VAR (an array element too) to its peak resident memory in KB, GNU time's
# %M: the child's ru_maxrss, not time's own pages before the exec.  A
# failed command is a failure of the test, and VAR is 0.
peak() {
  local var=$1
  shift
  if /usr/bin/time -f %M -o "$TMP/peak" "$@" >/dev/null; then
    printf -v "$var" '%s' "$(tail -n 1 "$TMP/peak")"
  else
    fail "command failed: $*"
    printf -v "$var" '%s' 0
  fi
}

# PDF.js (pdfjs-dist from npm, pinned by tests/e2e/pdfjs/package-lock.json)
# is installed by tools/test.sh.  Missing: a failure, unless tools/test.sh
# could not install it and said why (SS_PDFJS_SKIP); then its checks are
# skipped (SS_NO_PDFJS) and the other readers still run.
pdfjs_or_skip() {
  if [ ! -f "$HERE/pdfjs/node_modules/pdfjs-dist/package.json" ]; then
    if [ -z "${SS_PDFJS_SKIP:-}" ]; then
      echo "FAIL - PDF.js is not installed: run tools/test.sh (it runs npm ci in tests/e2e/pdfjs)"
      exit 1
    fi
    echo "skip - PDF.js: $SS_PDFJS_SKIP"
    export SS_NO_PDFJS=1
  fi
}
