#!/bin/bash
# export -o and import -o follow the sheets' rules (issue 21, points 1 and
# 5): never an input (by device and inode: the same name, a hard link, a
# symbolic link; exit 64), never a folder, device or FIFO (73), nothing
# written before that is known, a replaced file said so; and every command
# reads standard input ("-"), pipes and FIFOs as streams.
. "$(dirname "$0")/common.sh"
cd "$TMP"
DATA=$SRC/data/samples/sample-56.xml
cp "$DATA" d.xml
cp "$SRC/assets/templates/state-data.xml" t.xml
"$BIN" export d.xml -o x.csv >/dev/null
cp x.csv x.orig

# expect STATUS FILE-THAT-MUST-NOT-CHANGE(or -) LABEL -- COMMAND...
expect() {
  local want=$1 keep=$2 label=$3; shift 4
  local before=""
  [ "$keep" != - ] && before=$(sha256sum <"$keep")
  set +e; timeout 20 "$@" >out 2>err; local rc=$?; set -e
  if [ "$rc" -ne "$want" ]; then
    fail "$label: exit $rc, not $want ($(head -2 err))"
  elif [ "$want" -ne 0 ] && ! grep -q 'error:' err; then
    fail "$label: exit $rc with no reason on stderr"
  elif [ "$keep" != - ] && [ "$(sha256sum <"$keep")" != "$before" ]; then
    fail "$label: $keep was changed"
  elif ls -a | grep -q '^\.statesheet-.*\.tmp$'; then
    fail "$label: a temporary file is left"
  else
    ok "$label: exit $rc"
  fi
}

expect 64 d.xml "export -o the data file itself" -- "$BIN" export -o d.xml d.xml
ln d.xml hard.xml
expect 64 d.xml "export -o a hard link to the data file" -- "$BIN" export d.xml -o hard.xml
ln -s d.xml soft.xml
expect 64 d.xml "export -o a symbolic link to the data file" -- "$BIN" export d.xml -o soft.xml
expect 64 t.xml "export -o the template" -- "$BIN" export -t t.xml d.xml -o t.xml
expect 64 x.csv "import -o the CSV itself" -- "$BIN" import x.csv -o x.csv
expect 64 t.xml "import -o the template" -- "$BIN" import -t t.xml x.csv -o t.xml
expect 64 x.csv "import - -o the file on standard input" -- \
  sh -c '"$0" import - -o x.csv <x.csv' "$BIN"
# A device node of our own (mknod needs root); never /dev/null itself.
if mknod dev c 1 3 2>/dev/null; then
  expect 73 - "export -o a device" -- "$BIN" export d.xml -o dev
  [ -c dev ] && ok "the device is still a device" || fail "the device was replaced"
else
  echo "skip - export -o a device: mknod needs root"
fi
mkfifo fifo
expect 73 - "export -o a FIFO" -- "$BIN" export d.xml -o fifo
[ -p fifo ] && ok "the FIFO is still a FIFO" || fail "the FIFO was replaced"
expect 73 - "import -o a FIFO" -- "$BIN" import x.csv -o fifo
mkdir folder
expect 73 - "export -o a folder" -- "$BIN" export d.xml -o folder

# A replaced file is said so; a new one is not.
"$BIN" export d.xml -o new.csv >out
grep -q 'replaced' out && fail "a new file is reported as replaced" || ok "a new file: no note"
"$BIN" export d.xml -o new.csv >out
grep -q '(replaced an existing file)' out && ok "export: the replaced file is reported" \
  || fail "export: no note of the replaced file: $(cat out)"
cp "$DATA" last-year.xml
"$BIN" import x.csv -o last-year.xml >out
grep -q '(replaced an existing file)' out && ok "import: the replaced file is reported" \
  || fail "import: no note of the replaced file: $(cat out)"

# Standard input, pipes and FIFOs, read once as streams.
"$BIN" export d.xml >want.csv
cat d.xml | "$BIN" export - >got.csv 2>err && cmp -s want.csv got.csv \
  && ok "export - reads standard input" || fail "export -: $(head -2 err)"
cat d.xml | "$BIN" export /dev/stdin >got.csv 2>err && cmp -s want.csv got.csv \
  && ok "export /dev/stdin (a pipe)" || fail "export /dev/stdin: $(head -2 err)"
(cat d.xml >fifo &)
timeout 20 "$BIN" export fifo >got.csv 2>err && cmp -s want.csv got.csv \
  && ok "export of a FIFO" || fail "export of a FIFO: exit $? $(head -2 err)"
"$BIN" import x.csv >want.xml
cat x.csv | "$BIN" import - >got.xml 2>err && cmp -s want.xml got.xml \
  && ok "import - reads standard input" || fail "import -: $(head -2 err)"
set +e; cat x.csv | "$BIN" --check - >out 2>err; rc=$?; set -e
[ "$rc" -eq 65 ] && grep -q 'read only from a file: save it' err \
  && ok "a CSV on standard input to the main command: refused in words" \
  || fail "a CSV on standard input: exit $rc: $(head -2 err)"
"$BIN" -q -j 2 -o o1 -s S001 d.xml
cat d.xml | "$BIN" -q -j 2 -o o2 -s S001 - 2>err && cmp -s o1/S001-2023-SAMPLE.pdf o2/S001-2023-SAMPLE.pdf \
  && ok "the sheets from standard input" || fail "statesheet -: $(head -2 err)"
[ "$fails" -eq 0 ]
