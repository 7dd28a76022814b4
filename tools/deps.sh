#!/usr/bin/env bash
# Installs the Debian packages statesheet needs, and only those missing.
#   tools/deps.sh run    to build and make sheets
#   tools/deps.sh test   also what the test suite uses
# Safe to run again: with everything installed it changes nothing.
set -euo pipefail

RUN_PKGS=(gcc make cmake pkg-config libhpdf-dev libxml2-dev zlib1g-dev)
TEST_PKGS=(clang libclang-rt-14-dev libcmocka-dev poppler-utils qpdf
           python3 python3-pdfminer python3-pikepdf python3-fonttools
           default-jre-headless libpdfbox2-java libactivation-java
           libjaxb-api-java time locales valgrind
           ghostscript mupdf-tools python3-pypdf nodejs npm)

want=("${RUN_PKGS[@]}")
[ "${1:-run}" = test ] && want+=("${TEST_PKGS[@]}")

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
