#!/usr/bin/env bash
# Tries the package and the Containerfile in a throw-away Debian root, as no
# container engine is at hand:
#   sudo fresh-debian --dist bookworm -- bash tools/try-deb.sh --throwaway
# 1. builds the package (tools/package.sh);
# 2. removes every package that step installed (compilers, -dev packages,
#    libraries), so the root is back to a minimal Debian much like the
#    debian:bookworm-slim image, and drops apt's package lists as it does;
# 3. runs the Containerfile's COPY and RUN steps, read from the Containerfile
#    itself (its RUN installs the .deb with apt-get, which must bring the
#    libraries back from the package's Depends);
# 4. runs its ENTRYPOINT (statesheet) from another folder: the ND sheet.
# It removes packages: never run it on a machine you keep (hence --throwaway).
set -euo pipefail
if [ "${1:-}" != --throwaway ]; then
  echo "usage: tools/try-deb.sh --throwaway   (in a fresh root: it removes packages)" >&2
  exit 64
fi
cd "$(dirname "$0")/.."
src=$PWD
export DEBIAN_FRONTEND=noninteractive
fail() { echo "FAIL: $*"; exit 1; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

echo "== building the package"
dpkg-query -W -f='${Package}\n' | sort >/tmp/pkgs-before
tools/package.sh
dpkg-query -W -f='${Package}\n' | sort >/tmp/pkgs-after
mapfile -t added < <(comm -13 /tmp/pkgs-before /tmp/pkgs-after)
ctx=$(mktemp -d)
mkdir "$ctx/build-deb"
cp build-deb/statesheet_*.deb "$ctx/build-deb/"
cp Containerfile data/ncmec-2023.xml "$ctx/"

echo "== removing the ${#added[@]} packages the build installed"
apt-get purge -y -qq "${added[@]}" >/dev/null 2>&1
apt-get autoremove --purge -y -qq >/dev/null 2>&1
rm -rf /var/lib/apt/lists/*
for p in gcc cmake libhpdf-dev libhpdf-2.3.0 libxml2 dpkg-dev; do
  if installed "$p"; then fail "$p is still installed"; fi
done
echo "ok: no compiler, no libhpdf, no libxml2; $(dpkg-query -W | wc -l) packages left"

echo "== the Containerfile's steps"
entry=""
# One instruction a line (continuations joined), comments and blanks dropped.
while read -r -u 3 instr rest; do
  case $instr in
    ARG | FROM | CMD) echo "(skipped: $instr $rest)" ;;
    COPY)
      read -r from to <<<"$rest"
      echo "COPY $from $to"
      (cd "$ctx" && eval "cp $from $to") ;;
    RUN)
      echo "RUN $rest"
      (cd / && bash -euc "$rest") || fail "RUN failed: $rest" ;;
    ENTRYPOINT)
      entry=$(sed 's/[][",]/ /g' <<<"$rest" | xargs)
      echo "ENTRYPOINT $rest" ;;
    *) fail "Containerfile instruction not handled here: $instr" ;;
  esac
done 3< <(sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' "$src/Containerfile" | grep -Ev '^[[:space:]]*(#|$)')
[ -n "$entry" ] || fail "the Containerfile has no ENTRYPOINT"

for p in statesheet libhpdf-2.3.0 libxml2 libdeflate0; do
  installed "$p" || fail "$p was not installed with the package"
done
echo "ok: apt-get installed statesheet with libhpdf-2.3.0, libxml2 and libdeflate0"
dpkg -L statesheet | grep -E '^/usr/(bin/statesheet|share/man/man1/statesheet.1|share/statesheet/schema/statedata.xsd)$' |
  sed 's/^/  /'

echo "== $entry, from another folder"
mkdir -p /tmp/elsewhere
cd /tmp/elsewhere
$entry --version
$entry -s ND -o out "$ctx/ncmec-2023.xml" || fail "$entry failed"
f=out/ND-2023.pdf
[ "$(head -c 5 "$f")" = "%PDF-" ] || fail "no ND sheet"
tail -c 8 "$f" | grep -q '%%EOF' || fail "ND sheet has no %%EOF"
echo "ok: /tmp/elsewhere/$f, $(stat -c %s "$f") bytes"
