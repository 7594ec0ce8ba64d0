#!/usr/bin/env bash
# Models exported from PyTorch as users do (workloads/train/export_models.py): safsim's fp32
# path reproduces PyTorch's logits on 100 Fashion-MNIST test images, within 1e-4 relative to
# each logit and 1e-4 of the largest |logit| absolute (summation order differs from PyTorch's
# convolution kernels). The seven small exports are committed and always run; the torchvision
# models (mobilenet_v2, squeezenet1_1, resnet18, resnet18_c3 at 3x32x32: 101 MB; shufflenet_v2_x0_5 is committed) are exported here
# when PyTorch, torchvision and onnx are installed, and skipped otherwise.
# Usage: pytorch_exports.sh SAFSIM SOURCE_DIR
set -euo pipefail
safsim="$1"
src="$2"
exports="$src/tests/inputs/exports"
py=/usr/bin/python3

# check DIR NAME ATOL: onnx-check of NAME's committed input against PyTorch's output.
check() {
  "$safsim" onnx-check "$1/$2.onnx" --inputs "$1/$2.input.pb" --expect "$1/$2.expected.pb" \
    --rtol 1e-4 --atol "$3"
}

# 1e-4 of the largest |logit| of NAME's expected output (1e-5 without python3-onnx).
atol_of() {
  "$py" - "$1" <<'PY' 2>/dev/null || echo 1e-5
import sys
import numpy as np
import onnx
from onnx import numpy_helper
t = onnx.TensorProto()
with open(sys.argv[1], "rb") as f:
    t.ParseFromString(f.read())
print("%.3g" % max(1e-5, 1e-4 * float(np.abs(numpy_helper.to_array(t)).max())))
PY
}

for name in tutorial_view tutorial_view_opset17 tutorial_flatten normalized_input \
  inception_concat head_activations squeeze_excite shufflenet_v2_x0_5; do
  check "$exports" "$name" "$(atol_of "$exports/$name.expected.pb")"
done

if ! "$py" -c "import torch, torchvision, onnx" 2>/dev/null; then
  echo "torchvision models: skipped (no PyTorch, torchvision or onnx for $py)"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
large=(mobilenet_v2 squeezenet1_1 resnet18 resnet18_c3)  # resnet18_c3: 3x32x32 input
"$py" "$src/workloads/train/export_models.py" --out "$tmp" --only "${large[@]}" >/dev/null
for name in "${large[@]}"; do
  check "$tmp" "$name" "$(atol_of "$tmp/$name.expected.pb")"
done
echo "pytorch exports: ok"
