#!/usr/bin/env bash
# Regression inputs of the fuzzing pass: each is a user error (exit 2, a message naming the file
# and what is wrong), never a crash, a hang, an internal error or a silently accepted input.
# Usage: bad_inputs.sh SAFSIM SOURCE_DIR
set -euo pipefail
safsim="$1"
src="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src"
source "$src/tests/e2e/lib/expect_error.sh"
python3 tests/inputs/make_bad_datasets.py "$tmp/data"

# Datasets: a label beyond the model's classes, an empty training split, a gzip bomb whose
# header is wrong (refused after its first chunk, not inflated whole).
expect_error "has label 12, but model 'lenet5' has 10 classes" \
  "$safsim" eval --set workload.dataset="$tmp/data/labels_out_of_range" --out "$tmp/o1"
expect_error "the training split holds no images" \
  "$safsim" eval --set workload.dataset="$tmp/data/empty_train" --out "$tmp/o2"
start=$(date +%s)
expect_error "not an IDX image file" \
  "$safsim" eval --set workload.dataset="$tmp/data/bomb" --out "$tmp/o3"
(( $(date +%s) - start < 20 )) || { echo "FAIL: the gzip bomb took too long"; exit 1; }

# Config paths that are not regular files.
expect_error "cannot open config file: is a directory" "$safsim" eval "$tmp"
expect_error "cannot open config file: not a regular file" "$safsim" eval /dev/zero
mkfifo "$tmp/fifo"
expect_error "cannot open config file: not a regular file" timeout 20 "$safsim" eval "$tmp/fifo"

# A second YAML document in a sweep file, and a malformed zip axis.
printf 'name: s\nbase: %s/configs/default.yaml\n---\nrepeat: 2\n' "$src" >"$tmp/multi.yaml"
expect_error "a sweep file is one YAML document" \
  "$safsim" sweep "$tmp/multi.yaml" --out "$tmp/s1" --dry-run
printf 'name: s\nbase: %s/configs/default.yaml\naxes: [{zip: [a, b]}]\n' "$src" >"$tmp/zip.yaml"
expect_error "error: " "$safsim" sweep "$tmp/zip.yaml" --out "$tmp/s2" --dry-run

# A model name of 300 characters, an empty encode value.
long=$(printf 'm%.0s' $(seq 300))
expect_error "error: " "$safsim" eval --set workload.model="$long"
expect_error "--value must be an integer, got ''" "$safsim" encode --scheme c1 --bits 8 --value ""

# Two sweeps on one --out: the second is refused while the first runs.
cat >"$tmp/slow.yaml" <<YAML
name: slow
base: $src/configs/default.yaml
engine: functional
config: {workload: {images: 0}}
axes: [{key: faults.weights.stuck_at.rate, values: [0.001, 0.002, 0.005, 0.01]}]
repeat: 10
YAML
"$safsim" sweep "$tmp/slow.yaml" --out "$tmp/shared" --threads 1 >/dev/null 2>&1 &
first=$!
for _ in $(seq 100); do [[ -e "$tmp/shared/.sweep.lock" ]] && break; sleep 0.1; done
expect_error "another sweep is running in" "$safsim" sweep "$tmp/slow.yaml" --out "$tmp/shared"
kill "$first" 2>/dev/null || true
wait "$first" || true
echo "bad_inputs: ok"
