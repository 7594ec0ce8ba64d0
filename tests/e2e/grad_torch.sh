#!/usr/bin/env bash
# The backward pass (sim/engines/backward.h) against PyTorch autograd on every zoo model:
# `safsim gradient` writes the network, one image's activations and dL/dw; check_grad.py
# recomputes dL/dw with autograd and fails beyond a relative error of 1e-4 per layer.
# Skipped (exit 0) when /usr/bin/python3 has no torch (scripts/setup.sh installs python3-torch).
# Usage: grad_torch.sh SAFSIM SOURCE_DIR
set -euo pipefail
safsim="$1"
src="$2"
if ! /usr/bin/python3 -c "import torch" 2> /dev/null; then
  echo "SKIP: /usr/bin/python3 has no torch (apt-get install python3-torch)"; exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check="$src/workloads/train/check_grad.py"

for model in lenet5 lenet5_sigmoid lenet5_avgpool cnn_s002 cnn_s002_archopt resnet20; do
  for label in true golden; do
    "$safsim" gradient --set workload.model=$model --set workload.images=16 --image 7 \
      --label $label --out "$tmp/$model.json" > /dev/null
    /usr/bin/python3 "$check" "$tmp/$model.json" --rtol 1e-4 > "$tmp/$model.log" ||
      { echo "FAIL: $model ($label label)"; cat "$tmp/$model.log"; exit 1; }
  done
done

# The check can fail: one gradient entry moved by 10% of the layer's norm is a mismatch.
/usr/bin/python3 - "$tmp/lenet5.json" << 'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
g = d["layers"][0]["grad"]
g[0] += 0.1 * math.sqrt(sum(v * v for v in g)) + 1e-6
json.dump(d, open(sys.argv[1], "w"))
PY
if /usr/bin/python3 "$check" "$tmp/lenet5.json" > "$tmp/bad.log"; then
  echo "FAIL: check_grad.py accepted a corrupted gradient"; cat "$tmp/bad.log"; exit 1
fi
grep -q MISMATCH "$tmp/bad.log"
echo "grad_torch: 6 models passed"
