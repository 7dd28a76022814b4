#!/usr/bin/env bash
# Makes the Debian package build-deb/statesheet_VERSION_ARCH.deb (a Release
# build; install it with 'apt-get install ./build-deb/statesheet_*.deb').
# The package depends on this release's libraries: build it on the Debian
# release it is for (the Containerfile's base is bookworm).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh deb
cmake -S . -B build-deb -DCMAKE_BUILD_TYPE=Release -DSTATESHEET_TESTS=OFF >/dev/null
cmake --build build-deb -j"$(nproc)" >/dev/null
rm -f build-deb/statesheet_*.deb
(cd build-deb && cpack -G DEB >/dev/null)
ls build-deb/statesheet_*.deb
