#!/usr/bin/env bash
# Quick start 1: install what the main job needs, build the safsim binary only, and run
# configs/default.yaml. (The tests and their packages come with scripts/test.sh.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --main
SAFSIM_TARGET=safsim scripts/build.sh -DSAFSIM_BUILD_TESTS=OFF -DSAFSIM_BUILD_BENCH=OFF
./build/safsim run configs/default.yaml --out out/default "$@"
