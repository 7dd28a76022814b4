#!/bin/bash
# libzip, libxlsxwriter and libcurl are opened with dlopen by the runs that
# use them (src/workbook_dl.c), not linked: a run on XML data loads none of
# them, and one that reads or writes a workbook loads its library.  When a
# library is missing (the fault shim's dlopen kind), the run says what to
# install, exits 70 (64 for libcurl, which only --send needs) and leaves no
# file behind.
. "$(dirname "$0")/common.sh"
: "${SS_FAULT_SHIM:?set SS_FAULT_SHIM to the built libss_fault.so (ctest does)}"
LAZY='libzip|libxlsxwriter|libcurl'

# The libraries ld.so loads during a run (LD_DEBUG=libs prints each one it
# looks for, at start-up and at each dlopen).
loaded() { grep -oE 'find library=[^ ;]+' "$1" | sed 's/find library=//' | sort -u | tr '\n' ' '; }

if readelf -d "$BIN" | grep -E "NEEDED.*($LAZY)" >/dev/null; then
  fail "the program is linked with $(readelf -d "$BIN" | grep -oE "($LAZY)[^]]*" | tr '\n' ' ')"
else
  ok "not linked with libzip, libxlsxwriter or libcurl"
fi

LD_DEBUG=libs "$BIN" -q -s ND -o "$TMP/xml" "$SRC/data/ncmec-2023.xml" 2>"$TMP/xml.log"
libs=$(loaded "$TMP/xml.log")
if ! grep -q libhpdf <<<"$libs"; then
  fail "LD_DEBUG=libs names no library (not even libhpdf): $(head -3 "$TMP/xml.log")"
elif grep -Eq "$LAZY" <<<"$libs"; then
  fail "a run on XML data loads $(grep -oE "($LAZY)[^ ]*" <<<"$libs" | tr '\n' ' ')"
else
  ok "a run on XML data loads none of them ($libs)"
fi

LD_DEBUG=libs "$BIN" export -q "$SRC/data/ncmec-2023.xml" -o "$TMP/d.xlsx" 2>"$TMP/export.log"
libs=$(loaded "$TMP/export.log")
if grep -q libxlsxwriter <<<"$libs" && [ -s "$TMP/d.xlsx" ]; then
  ok "export -o FILE.xlsx loads libxlsxwriter"
else
  fail "export -o FILE.xlsx: libraries loaded: $libs"
fi

LD_DEBUG=libs "$BIN" -q -s ND -o "$TMP/wb" "$TMP/d.xlsx" 2>"$TMP/wb.log"
libs=$(loaded "$TMP/wb.log")
if grep -q libzip <<<"$libs" && cmp -s "$TMP/xml/ND-2023.pdf" "$TMP/wb/ND-2023.pdf"; then
  ok "a run on a workbook loads libzip and makes the same sheet"
else
  fail "a run on a workbook: libraries loaded: $libs; $(ls "$TMP/wb" 2>&1 | head -3)"
fi

# missing LIBRARY STATUS WORDS -- COMMAND...: the run with LIBRARY's dlopen
# failed exits STATUS and says WORDS and the package to install.
missing() {
  local lib=$1 want=$2 words=$3; shift 4
  set +e
  SS_FAULT_KIND=dlopen SS_FAULT_N=1 SS_FAULT_MATCH=$lib LD_PRELOAD=$SS_FAULT_SHIM \
    "$@" >"$TMP/out" 2>"$TMP/err"
  local st=$?
  set -e
  if [ "$st" -ne "$want" ]; then
    fail "$lib missing: exit $st, not $want: $(head -3 "$TMP/err")"
  elif ! grep -q "$words" "$TMP/err" || ! grep -Eq "apt-get install $lib[0-9]" "$TMP/err"; then
    fail "$lib missing: the message does not say '$words' and the package: $(cat "$TMP/err")"
  else
    ok "$lib missing: exit $st, $(head -1 "$TMP/err")"
  fi
}
# libcurl is only recommended: without it --send is a usage error (64)
# that says to install it or to write drafts.
printf 'code,email\nND,nd@example.org\n' >"$TMP/contacts.csv"
missing libcurl 64 "send needs libcurl.so" -- \
  "$BIN" mail -q --contacts "$TMP/contacts.csv" --send smtp://127.0.0.1:9 "$TMP/xml"
mkdir "$TMP/out-wb" "$TMP/out-x"
missing libzip 70 "reading .xlsx and .ods workbooks needs libzip.so" -- \
  "$BIN" -q -o "$TMP/out-wb/sheets" "$TMP/d.xlsx"
missing libzip 70 "reading .xlsx and .ods workbooks needs libzip.so" -- \
  "$BIN" import -q "$TMP/d.xlsx" -o "$TMP/out-wb/d.xml"
missing libxlsxwriter 70 "writing .xlsx workbooks needs libxlsxwriter.so" -- \
  "$BIN" export -q "$SRC/data/ncmec-2023.xml" -o "$TMP/out-x/d.xlsx"
left=$(ls -A "$TMP/out-wb" "$TMP/out-x" | grep -v ':$' | grep -v '^$' || true)
if [ -n "$left" ]; then
  fail "files left behind by the runs that stopped: $left"
else
  ok "the runs that stopped left no file behind"
fi

if [ "$fails" -ne 0 ]; then
  echo "dlopen: $fails check(s) FAILED"
  exit 1
fi
echo "dlopen: all checks passed"
