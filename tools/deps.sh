#!/usr/bin/env bash
# Installs the Debian packages statesheet needs, and only those missing.
#   tools/deps.sh run    to build and make sheets
#   tools/deps.sh test   also what the test suite uses
#   tools/deps.sh deb    to build the .deb (tools/package.sh)
# Safe to run again: with everything installed it changes nothing.
set -euo pipefail

# To add a package: put its Debian name in the array it belongs to, one
# name among the others (RUN_PKGS: building and running; TEST_PKGS: what a
# test or test script runs or imports).  Use names both Debian 12 (bookworm)
# and 13 (trixie) have, version-free (libclang-rt-dev, not
# libclang-rt-14-dev); check with 'apt-cache policy NAME' on both.  A name
# only one release has goes in the case below, under that release.
# DEB_PKGS: what making the .deb runs (cpack -G DEB: dpkg-shlibdeps, file).
RUN_PKGS=(gcc binutils make cmake pkg-config libhpdf-dev libxml2-dev libdeflate-dev nettle-dev libcsv-dev
          libutf8proc-dev libhyphen-dev hyphen-en-us hyphen-es libzip-dev libxlsxwriter-dev
          libcurl4-openssl-dev libharfbuzz-dev)
TEST_PKGS=(clang libclang-rt-dev llvm libcmocka-dev poppler-utils qpdf
           python3 python3-pdfminer python3-pikepdf python3-fonttools
           default-jre-headless libpdfbox2-java libactivation-java
           libjaxb-api-java time locales valgrind bc util-linux libxml2-utils
           ghostscript mupdf-tools python3-pypdf nodejs npm
           libreoffice-calc-nogui python3-openpyxl opensmtpd python3-aiosmtpd
           libharfbuzz-bin fonts-liberation2)
DEB_PKGS=(dpkg-dev file)
# binutils: objdump reads the sonames of the libraries opened with dlopen
# (CMakeLists.txt), readelf what the program links (e2e/dlopen.sh).
# llvm: llvm-symbolizer, which turns ASan's addresses into file:line.
# libharfbuzz-bin: hb-shape, and fonts-liberation2: Liberation Sans, which
# e2e/kerning.py measures the kerning against.
# util-linux: setpriv (test_hostile runs the binary as nobody).
# libreoffice-calc-nogui, python3-openpyxl: e2e/workbook.sh saves and edits
# workbooks as Calc and a user would.

# shellcheck source=/dev/null
release=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
case $release in
  bookworm)
    TEST_PKGS+=()
    ;;
  trixie)
    TEST_PKGS+=()
    ;;
esac

want=("${RUN_PKGS[@]}")
case ${1:-run} in
  run) ;;
  test) want+=("${TEST_PKGS[@]}" "${DEB_PKGS[@]}") ;;
  deb) want+=("${DEB_PKGS[@]}") ;;
  *) echo "usage: tools/deps.sh [run|test|deb]" >&2; exit 64 ;;
esac

missing=()
for p in "${want[@]}"; do
  # A machine with Node.js from elsewhere (NodeSource's nodejs bundles npm)
  # already has what the npm package would bring.
  [ "$p" = npm ] && command -v npm >/dev/null 2>&1 && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "statesheet: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The suite runs once more under a locale with a decimal comma.
if [ "${1:-run}" = test ] && ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO sed -i 's/^# *de_DE.UTF-8 UTF-8/de_DE.UTF-8 UTF-8/' /etc/locale.gen
  $SUDO locale-gen >/dev/null
fi
