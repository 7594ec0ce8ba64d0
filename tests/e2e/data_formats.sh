#!/usr/bin/env bash
# Data beyond Fashion-MNIST, end to end (docs/data.md). fmnist32 — Fashion-MNIST padded to
# 3x32x32 with three different channels, written by workloads/train/make_data.py — as an .npz
# file and as a CIFAR-10 binary directory gives resnet20_c3 (trained with per-channel
# normalization) the same logits bit for bit; predictions.csv and logits.npy hold them; a float
# .npz of the same images normalized beforehand gives the same top-1 almost everywhere;
# synthetic images need no data and no labels (top-1 agreement instead of accuracy); bad data
# is exit 2 naming the file.
# Usage: data_formats.sh SAFSIM SOURCE_DIR
set -euo pipefail
safsim="$1"
src="$2"
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$src/tests/e2e/lib/expect_error.sh"

"$py" "$src/workloads/train/make_data.py" --out "$tmp" --images 300 --float >"$tmp/make_data.out"
# The statistics resnet20_c3 was trained with (workloads/zoo/zoo.yaml).
norm=(--set 'workload.normalize.mean=[0.2186, 0.7814, 0.3599]'
      --set 'workload.normalize.std=[0.3315, 0.3315, 0.1654]')
common=(--set workload.model=resnet20_c3 --set workload.images=200
        --set quant.calibration_images=100 --set output.predictions=true)

"$safsim" eval "${common[@]}" "${norm[@]}" --set workload.dataset="$tmp/fmnist32.npz" \
  --out "$tmp/npz" >"$tmp/npz.out" 2>/dev/null
"$safsim" eval "${common[@]}" "${norm[@]}" --set workload.dataset="$tmp/fmnist32-cifar" \
  --out "$tmp/cifar" >"$tmp/cifar.out" 2>/dev/null
cmp "$tmp/npz/logits.npy" "$tmp/cifar/logits.npy" ||
  { echo "FAIL: the .npz and the CIFAR directory give different logits"; exit 1; }
cmp "$tmp/npz/predictions.csv" "$tmp/cifar/predictions.csv"

"$py" - "$tmp" <<'PY'
import csv, json, sys
import numpy as np
tmp = sys.argv[1]
s = json.load(open(f"{tmp}/npz/summary.json"))
assert s["labels"] is True and s["images"] == 200, s
assert s["calibration"] == {"source": "train", "first": 0, "images": 100}, s["calibration"]
assert s["accuracy"] > 0.85, s["accuracy"]  # fp32: 0.93 on all 10,000 test images
logits = np.load(f"{tmp}/npz/logits.npy")
assert logits.shape == (200, 10) and logits.dtype == np.float32, (logits.shape, logits.dtype)
rows = list(csv.DictReader(open(f"{tmp}/npz/predictions.csv")))
assert len(rows) == 200 and list(rows[0]) == ["image", "label", "top1", "fault_free_top1"]
y = np.load(f"{tmp}/fmnist32.npz")["y_test"][:200]
assert [int(r["label"]) for r in rows] == y.tolist()
assert [int(r["top1"]) for r in rows] == logits.argmax(axis=1).tolist()
correct = sum(int(r["top1"]) == int(r["label"]) for r in rows)
assert correct == s["correct"], (correct, s["correct"])
PY

# The same images as float32, normalized beforehand: the calibrated 8-bit input range costs
# little (no workload.normalize: the values are what the model takes).
"$safsim" eval "${common[@]}" --set workload.dataset="$tmp/fmnist32_float.npz" \
  --out "$tmp/float" >/dev/null 2>&1
"$py" - "$tmp" <<'PY'
import sys
import numpy as np
tmp = sys.argv[1]
a = np.load(f"{tmp}/npz/logits.npy").argmax(1)
b = np.load(f"{tmp}/float/logits.npy").argmax(1)
assert (a == b).mean() >= 0.95, (a == b).mean()
PY

# Synthetic images: no data, no labels; with faults, agreement with the fault-free run.
syn=(--set workload.model=resnet20_c3 --set workload.dataset=synthetic
     --set workload.synthetic.images=40 --set quant.calibration_images=20)
"$safsim" eval "${syn[@]}" --set faults.weights.stuck_at.rate=0.01 --out "$tmp/syn" \
  >"$tmp/syn.out" 2>/dev/null
grep -q "40 images, no labels (top-1 agreement [0-9.]*%, mean |logit change| " "$tmp/syn.out" ||
  { echo "FAIL: synthetic eval line"; cat "$tmp/syn.out"; exit 1; }
"$safsim" run "$src/configs/default.yaml" "${syn[@]}" --set workload.images=1 --out "$tmp/syn_run" \
  >/dev/null 2>&1
"$py" - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
s = json.load(open(f"{tmp}/syn/summary.json"))
assert s["accuracy"] is None and s["labels"] is False, s
assert s["calibration"]["source"] == "synthetic", s["calibration"]
assert 0 <= s["top1_agreement"] <= 1 and s["mean_abs_logit_change"] > 0, s
r = json.load(open(f"{tmp}/syn_run/summary.json"))
assert r["accuracy"] is None and r["cycles"] > 0 and r["energy_pj"] > 0, r
assert len(open(f"{tmp}/syn_run/layers.csv").read().splitlines()) > 20
PY

# A sweep without labels measures agreement; asking it for accuracy is refused up front.
cat >"$tmp/sweep.yaml" <<YAML
config: {workload: {model: lenet5, dataset: synthetic, synthetic: {images: 30}},
         quant: {calibration_images: 20}, faults: {weights: {stuck_at: {rate: 0.02}}}}
axes: [{key: mitigation.scheme, values: [none, c1]}]
repeat: 2
metrics: [top1_agreement, mean_abs_logit_change]
YAML
"$safsim" sweep "$tmp/sweep.yaml" --out "$tmp/sweep" >/dev/null 2>&1
"$py" - "$tmp" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(f"{sys.argv[1]}/sweep/results.csv")))
assert len(rows) == 4, rows
by = {r["mitigation.scheme"]: float(r["top1_agreement"]) for r in rows}
assert all(0 <= float(r["top1_agreement"]) <= 1 for r in rows), rows
assert any(float(r["mean_abs_logit_change"]) > 0 for r in rows), rows
PY
sed -i 's/metrics: .*/metrics: [accuracy]/' "$tmp/sweep.yaml"
expect_error "has no labels, but the sweep measures accuracy" \
  "$safsim" sweep "$tmp/sweep.yaml" --out "$tmp/sweep2"

# Errors: exit 2, naming the file and what is wrong.
expect_error "neither N x 1x28x28 (NCHW) nor N x 28x28x1 (NHWC)" \
  "$safsim" eval --set workload.dataset="$tmp/fmnist32.npz" --out "$tmp/e1"
head -c 5000 "$tmp/fmnist32-cifar/test_batch.bin" >"$tmp/fmnist32-cifar/test_cut.bin"
mkdir "$tmp/cut" && cp "$tmp/fmnist32-cifar/data_batch_1.bin" "$tmp/cut/" &&
  mv "$tmp/fmnist32-cifar/test_cut.bin" "$tmp/cut/test_batch.bin"
expect_error "test_batch.bin" \
  "$safsim" eval --set workload.model=resnet20_c3 --set workload.dataset="$tmp/cut" --out "$tmp/e2"
printf 'not a zip' >"$tmp/bad.npz"
expect_error "bad.npz" \
  "$safsim" eval --set workload.model=resnet20_c3 --set workload.dataset="$tmp/bad.npz" \
  --out "$tmp/e3"
expect_error "workload.normalize needs one mean and one std per input channel" \
  "$safsim" eval --set workload.model=resnet20_c3 --set workload.dataset=synthetic \
  --set 'workload.normalize.mean=[0.5]' --set 'workload.normalize.std=[0.5]' --out "$tmp/e4"
expect_error "has no labels" \
  "$safsim" analyze ber "$src/configs/repro/002_ber.yaml" --set workload.model=resnet20_c3 \
  --set workload.dataset=synthetic --out "$tmp/e5"
echo "data_formats: passed"
