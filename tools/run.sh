#!/usr/bin/env bash
# The main job: install what is missing, build, and make every sheet of
# data/ncmec-2023.xml into out/.  Extra arguments go to statesheet.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh run
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSTATESHEET_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
./build/statesheet -o out "$@" data/ncmec-2023.xml
