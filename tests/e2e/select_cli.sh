#!/usr/bin/env bash
# `safsim select`: writes a test set that reads back with golden results of the configured
# candidates; same seed, same set; user errors exit 2 with a clear message.
# Usage: select_cli.sh SAFSIM SOURCE_DIR
set -euo pipefail
safsim="$1"
src="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cfg="$src/configs/default.yaml"
pool=(--set workload.images=300 --set workload.first_image=500)

source "$src/tests/e2e/lib/expect_error.sh"

for s in corner grad corner_grad prob_distrib random; do
  "$safsim" select "$cfg" "${pool[@]}" --strategy $s --count 6 --out "$tmp/$s.json" > /dev/null
done
"$safsim" select "$cfg" "${pool[@]}" --strategy coverage --count 0 --out "$tmp/coverage.json" \
  > /dev/null
"$safsim" select "$cfg" "${pool[@]}" --strategy sensitivity --count 6 --sensitivity-maps 3 \
  --sensitivity-mode msb --sensitivity-rate 0.01 --out "$tmp/sensitivity.json" > /dev/null

# Structure: strategy, count, hash, indices inside the pool [500, 800), one golden logit per class.
/usr/bin/python3 - "$tmp" << 'PY'
import json, sys
d = sys.argv[1]
for s in ["corner", "grad", "corner_grad", "prob_distrib", "random", "coverage", "sensitivity"]:
    t = json.load(open(f"{d}/{s}.json"))
    assert t["strategy"] == s, s
    n = len(t["images"])
    assert t["count"] == n and (n == 6 or s == "coverage" and n >= 1), (s, n)
    assert len(t["model_hash"]) == 16 and t["model"] == "lenet5", s
    assert t["config"]["workload"]["first_image"] == 500, s
    idx = [im["index"] for im in t["images"]]
    assert len(set(idx)) == n and all(500 <= i < 800 for i in idx), (s, idx)
    for im in t["images"]:
        assert len(im["golden_logits"]) == 10
        assert im["golden_top1"] == max(range(10), key=lambda c: (im["golden_logits"][c], -c))
    assert t["selection_seconds"] >= 0
# corner: ascending gaps; the others: descending scores.
c = [im["score"] for im in json.load(open(f"{d}/corner.json"))["images"]]
assert c == sorted(c), c
p = [im["score"] for im in json.load(open(f"{d}/prob_distrib.json"))["images"]]
assert p == sorted(p, reverse=True), p
PY

# Same config and seed: the same images; another seed: another random draw.
"$safsim" select "$cfg" "${pool[@]}" --strategy random --count 6 --out "$tmp/random2.json" > /dev/null
"$safsim" select "$cfg" "${pool[@]}" --set seed=7 --strategy random --count 6 \
  --out "$tmp/random3.json" > /dev/null
images() { /usr/bin/python3 -c "import json,sys; print([i['index'] for i in json.load(open(sys.argv[1]))['images']])" "$1"; }
[[ "$(images "$tmp/random.json")" == "$(images "$tmp/random2.json")" ]] ||
  { echo "FAIL: random selection is not reproducible"; exit 1; }
[[ "$(images "$tmp/random.json")" != "$(images "$tmp/random3.json")" ]] ||
  { echo "FAIL: the seed does not change the random selection"; exit 1; }

expect_error "unknown strategy 'corner_grd' (did you mean 'corner_grad'?)" \
  "$safsim" select "$cfg" --strategy corner_grd --out "$tmp/x.json"
expect_error "count must be in [1, 300]" \
  "$safsim" select "$cfg" "${pool[@]}" --strategy corner --count 301 --out "$tmp/x.json"
expect_error "count must be in [1, 300]" \
  "$safsim" select "$cfg" "${pool[@]}" --strategy prob_distrib --count 0 --out "$tmp/x.json"
expect_error "need integer weights" \
  "$safsim" select "$cfg" "${pool[@]}" --set quant.weight_format=fp32 --strategy grad \
  --out "$tmp/x.json"
expect_error "--out is required" "$safsim" select "$cfg" --strategy corner
expect_error "--strategy is required" "$safsim" select "$cfg" --out "$tmp/x.json"
[[ ! -e "$tmp/x.json" ]] || { echo "FAIL: a failed selection wrote a file"; exit 1; }
echo "select_cli: passed"
