#!/usr/bin/env bash
# Installs the Debian 12 packages safsim needs; idempotent (installs only what is missing).
# Usage: scripts/setup.sh [--main]
#   --main  only what building and running safsim needs (the main job, scripts/run_default.sh)
#   (none)  also what the tests need: Catch2, Google Benchmark, clang-format, GTKWave (vcd2fst;
#           with Xvfb and Pillow, scripts/trace_screenshot.py takes its picture under Xvfb)
#           PyTorch (python3-torch: retrains the zoo, fine-tunes for 002's feature
#           optimization and cross-checks safsim's backward pass against autograd),
#           python3-onnx + python3-torchvision (export real models and compare logits) and
#           libonnx-testdata (ONNX's own backend node tests, run by `safsim onnx-check`),
#           clang-14 and libclang-rt-14-dev (libFuzzer: the parsers' fuzz targets, scripts/fuzz.sh).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates
  libsystemc-dev libeigen3-dev libyaml-cpp-dev libfmt-dev libcli11-dev
  nlohmann-json3-dev libonnx-dev libprotobuf-dev protobuf-compiler zlib1g-dev libzip-dev
  dataset-fashion-mnist libopenmpi-dev openmpi-bin python3 python3-numpy python3-matplotlib
)
if [[ "${1:-}" != "--main" ]]; then
  packages+=(catch2 libbenchmark-dev clang-format-14 gtkwave xvfb python3-pil python3-torch
    python3-onnx python3-torchvision libonnx-testdata clang-14 libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
