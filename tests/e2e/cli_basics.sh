#!/usr/bin/env bash
# The CLI on real configs: outputs exist, user errors exit with code 2 and a clear message.
# Usage: cli_basics.sh SAFSIM SOURCE_DIR
set -euo pipefail
safsim="$1"
src="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

source "$src/tests/e2e/lib/expect_error.sh"

# eval on 200 images writes the summary and the resolved config.
"$safsim" eval --set workload.images=200 --out "$tmp/eval" >/dev/null
grep -q '"accuracy"' "$tmp/eval/summary.json"
grep -q 'weight_bits: 8' "$tmp/eval/config.resolved.yaml"

# The resolved config loads again and gives the same accuracy.
"$safsim" eval "$tmp/eval/config.resolved.yaml" --out "$tmp/eval2" >/dev/null
a=$(grep '"accuracy"' "$tmp/eval/summary.json")
b=$(grep '"accuracy"' "$tmp/eval2/summary.json")
[[ "$a" == "$b" ]] || { echo "FAIL: resolved config changed the result: $a vs $b"; exit 1; }

# Every runnable config in configs/ (not sweeps) runs, on 2 images.
for cfg in "$src"/configs/*.yaml; do
  "$safsim" run "$cfg" --set workload.images=2 --out "$tmp/run_$(basename "$cfg" .yaml)" >/dev/null
done

# User errors: file:line:col, did-you-mean, exit code 2.
printf 'workload:\n  modle: lenet5\n' >"$tmp/typo.yaml"
expect_error "typo.yaml:2:3: unknown key 'workload.modle' (did you mean 'model'?)" \
  "$safsim" eval "$tmp/typo.yaml"
expect_error "must be in [2, 16], got 1" "$safsim" eval --set quant.weight_bits=1
expect_error "did you mean 'lenet5'" "$safsim" eval --set workload.model=lenet6
expect_error "cannot open config file" "$safsim" eval "$tmp/missing.yaml"
expect_error "--defects" "$safsim" encode --scheme c1 --bits 8 --format unsigned --value 3 --defects b9:1
echo "cli_basics: 1 passed, 0 failed"
