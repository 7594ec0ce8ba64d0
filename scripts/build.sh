#!/usr/bin/env bash
# Configures and builds safsim into BUILD_DIR (default build/). Extra arguments go to cmake.
# SAFSIM_WERROR=ON turns warnings into errors (CI); SAFSIM_TARGET builds only that target.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DSAFSIM_WERROR="${SAFSIM_WERROR:-OFF}" "$@" >/dev/null
if [[ -n "${SAFSIM_TARGET:-}" ]]; then
  cmake --build "$build_dir" -j"$(nproc)" --target "$SAFSIM_TARGET"
else
  cmake --build "$build_dir" -j"$(nproc)"
fi
