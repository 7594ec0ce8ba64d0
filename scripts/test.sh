#!/usr/bin/env bash
# Quick start 2: install what is missing, build, and run the whole test suite with ctest.
# Options: --sanitize  build into build-asan/ with AddressSanitizer + UBSan and run the unit tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [[ "${1:-}" == "--sanitize" ]]; then
  BUILD_DIR=build-asan scripts/build.sh -DSAFSIM_SANITIZE=ON -DSAFSIM_BUILD_BENCH=OFF \
    -DSAFSIM_BUILD_TESTS=ON
  cd build-asan
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --output-on-failure -j"$(nproc)" -L unit
  exit 0
fi
scripts/build.sh -DSAFSIM_BUILD_TESTS=ON -DSAFSIM_BUILD_BENCH=ON
cd build
ctest --output-on-failure -j"$(nproc)"
