#!/usr/bin/env bash
# Inputs the fuzz test (tests/fuzz/fuzz_inputs.py) and the libFuzzer targets (scripts/fuzz.sh)
# found refused without naming where or what the problem is, or not refused in time; each is
# now a user error (exit 2) naming the file and, in text files, the line and column.
# Usage: fuzz_regressions.sh SAFSIM SOURCE_DIR
set -euo pipefail
safsim="$1"
src="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src"
source "$src/tests/e2e/lib/expect_error.sh"
in=tests/inputs/fuzz

# An unknown zoo model in a config: its key's position (it used to be reported without one,
# when the model was loaded), or the --set that gave it.
expect_error "$in/unknown_model.yaml:2:10: workload.model: unknown model 'lenet' (did you mean 'lenet5'?)" \
  "$safsim" eval "$in/unknown_model.yaml" --out "$tmp/o1"
expect_error "--set workload.model=len: unknown model 'len'" \
  "$safsim" eval --set workload.model=len --out "$tmp/o2"

# A ',' where a YAML document starts (a newline inserted into default.yaml's first comment):
# yaml-cpp's LoadAll() collected empty documents until memory ran out (23 GB, then the kernel's
# kill); now a syntax error, at once and in little memory.
start=$(date +%s)
expect_error "$in/stray_comma.yaml:2:1: YAML syntax error: unexpected ','" \
  bash -c 'ulimit -v 2000000; exec "$0" "$@"' "$safsim" eval "$in/stray_comma.yaml" --out "$tmp/o6"
(( $(date +%s) - start < 20 )) || { echo "FAIL: the stray comma took too long"; exit 1; }

# The same stall after two real documents ("workload #", "quant"): the guard looked at the
# first three document starts only (found by the config's libFuzzer target, scripts/fuzz.sh).
start=$(date +%s)
expect_error "$in/stray_comma_third_document.yaml:4:1: YAML syntax error: unexpected ','" \
  bash -c 'ulimit -v 2000000; exec "$0" "$@"' "$safsim" eval "$in/stray_comma_third_document.yaml" \
  --out "$tmp/o7"
(( $(date +%s) - start < 20 )) || { echo "FAIL: the stray comma took too long"; exit 1; }

# A test-set number beyond a double (1e400): the file and the number's position (it used to be
# "error: JSON: ... number overflow" naming neither).
expect_error "$in/testset_number_overflow.json:8:18: test set: a number beyond the range of a double" \
  "$safsim" run configs/default.yaml --set workload.dataset=synthetic \
  --set workload.synthetic.images=2 --set quant.calibration_images=2 --set workload.images=1 \
  --set selftest.enabled=true --set selftest.testset="$in/testset_number_overflow.json" \
  --out "$tmp/o3"
# A JSON syntax error in a test set: file:line:col first, like every other input's errors (it
# used to read "test set 'FILE': [json.exception.parse_error.101] ...").
expect_error "$in/testset_syntax_error.json:3:14: test set: [json.exception.parse_error.101]" \
  "$safsim" run configs/default.yaml --set workload.dataset=synthetic \
  --set workload.synthetic.images=2 --set quant.calibration_images=2 --set workload.images=1 \
  --set selftest.enabled=true --set selftest.testset="$in/testset_syntax_error.json" \
  --out "$tmp/o5"

# A tensor whose data type is a number ONNX does not define (Flatten, then a Gemm whose weight
# says 65536): named by its number (protobuf's name of it is empty: "has data type ;").
expect_error "$in/undefined_data_type.onnx: tensor 'w' has data type 65536 (no ONNX data type)" \
  "$safsim" eval --set workload.model="$in/undefined_data_type.onnx" \
  --set workload.dataset=synthetic --out "$tmp/o4"
echo "fuzz_regressions: ok"
