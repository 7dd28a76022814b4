#!/bin/bash
# --combined is checked before anything is written (issue 12, point 3): it
# never replaces an input (by any name: same path, ./path, a symbolic or
# hard link, a path through ..), the template or a sheet of the data; a
# folder or a missing folder is refused at once, not after every sheet.
# Each refusal: the exit status, the message, no output folder made, the
# inputs byte for byte as they were.
. "$(dirname "$0")/common.sh"
ok() { echo "ok   - $*"; }

cd "$TMP"
cp "$SRC/data/samples/sample-56.xml" in.xml
cp "$SRC/assets/templates/state-data.xml" tpl.xml
mkdir sub
ln -s in.xml link.xml
ln in.xml hard.xml
sum() { md5sum in.xml tpl.xml | md5sum; }
before=$(sum)

# refuse WANT_STATUS WORD_IN_MESSAGE ARGS...
refuse() {
  local want=$1 word=$2
  shift 2
  rm -rf o
  local rc=0
  "$BIN" -q -o o "$@" >out.txt 2>err.txt || rc=$?
  if [ "$rc" -eq "$want" ] && grep -q -- "$word" err.txt && [ ! -e o ] && [ "$(sum)" = "$before" ] \
     && [ "$(wc -l <err.txt)" -eq 1 ]; then
    ok "$* -> $want: $(cat err.txt)"
  else
    fail "$* -> exit $rc (want $want), output folder $( [ -e o ] && echo made || echo 'not made'), stderr: $(head -c 300 err.txt)"
  fi
}

refuse 64 "which this run reads" --combined in.xml in.xml
refuse 64 "which this run reads" --combined ./in.xml in.xml
refuse 64 "which this run reads" --combined sub/../in.xml in.xml
refuse 64 "which this run reads" --combined "$TMP/in.xml" in.xml
refuse 64 "which this run reads" --combined link.xml in.xml
refuse 64 "which this run reads" --combined hard.xml in.xml
refuse 64 "which this run reads" --combined tpl.xml -t tpl.xml in.xml
refuse 64 "statesheet's own files" --combined "$SRC/assets/all.pdf" in.xml
refuse 73 "names a folder" --combined sub in.xml
refuse 73 "names a folder" --combined sub/ in.xml
refuse 73 "names a folder" --combined o in.xml
refuse 73 "does not exist" --combined nowhere/all.pdf in.xml
mkfifo fifo.pdf
refuse 73 "special file" --combined fifo.pdf in.xml
[ -p fifo.pdf ] && ok "the named pipe is still a named pipe" || fail "the named pipe was replaced"
# A device like /dev/null (made here, never the real one: a broken check
# would replace it).
if mknod null c 1 3 2>/dev/null; then
  refuse 73 "special file" --combined null in.xml
  [ -c null ] && ok "the device is still a device" || fail "the device was replaced"
else
  echo "skip - mknod needs root"
fi
# A sheet of this run, named directly or through another spelling of -o.
mkdir o2
"$BIN" -q -o o2 -s S001 in.xml
cp o2/S001-2023-SAMPLE.pdf S001.keep
rm -rf o
rc=0
"$BIN" -q -o o2 --combined ./o2/S002-2023-SAMPLE.pdf in.xml 2>err.txt || rc=$?
if [ "$rc" -eq 64 ] && grep -q "would replace the sheet" err.txt && cmp -s o2/S001-2023-SAMPLE.pdf S001.keep \
   && [ "$(ls o2 | grep -c "\.pdf$")" -eq 1 ]; then
  ok "--combined onto a sheet of the data -> 64, nothing written: $(cat err.txt)"
else
  fail "--combined onto a sheet: exit $rc, $(ls o2 | wc -l) files in o2, stderr $(cat err.txt)"
fi

# Nor may a sheet replace the data file (a data file named like a sheet).
mkdir o3
cp in.xml o3/S001-2023-SAMPLE.pdf
cp in.xml o3.keep
rc=0
"$BIN" -q -o o3 o3/S001-2023-SAMPLE.pdf 2>err.txt || rc=$?
if [ "$rc" -eq 64 ] && cmp -s o3/S001-2023-SAMPLE.pdf o3.keep && [ "$(ls o3 | wc -l)" -eq 1 ] && grep -q "which this run reads" err.txt; then
  ok "a sheet in place of the data file -> 64, nothing written: $(cat err.txt)"
else
  fail "a sheet in place of the data file: exit $rc, $(ls o3 | wc -l) files, stderr $(cat err.txt)"
fi

# The good case still works, and its folder may be the one the run makes.
rm -rf o
rc=0
"$BIN" -q -o o --combined o/all.pdf in.xml || rc=$?
if [ "$rc" -eq 0 ] && qpdf --check o/all.pdf >/dev/null 2>&1 && [ "$(pdfinfo o/all.pdf | awk '/^Pages:/ {print $2}')" -eq 56 ] \
   && [ "$(find o -name '.statesheet-*' | wc -l)" -eq 0 ]; then
  ok "--combined o/all.pdf into the folder the run makes: 56 pages, qpdf --check clean, no temporary file"
else
  fail "--combined o/all.pdf: exit $rc"
fi

if [ "$fails" -ne 0 ]; then echo "combined_target: $fails check(s) FAILED"; exit 1; fi
echo "combined_target: all checks passed"
