#!/usr/bin/env bash
# Quick start 1: install what is missing, build, and run the main job (configs/default.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
./build/safsim run configs/default.yaml --out out/default "$@"
