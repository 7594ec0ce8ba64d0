#!/usr/bin/env bash
# Read errors (faults.weights.read_errors, docs/faults.md) end to end: the commands on the
# functional engine refuse them (exit 2, naming the key), `safsim run` reports the wrong cells
# in summary.json, and SEC-DED corrects the single errors that change the logits without it.
#   bash tests/e2e/read_errors.sh build/safsim .
set -euo pipefail
safsim="$1"
src="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src"
source "$src/tests/e2e/lib/expect_error.sh"

want="faults.weights.read_errors.ber = 0.001 needs engine: cycle"
expect_error "$want" "$safsim" eval configs/default.yaml \
  --set faults.weights.read_errors.ber=0.001 --out "$tmp/eval"
expect_error "$want" "$safsim" analyze ber configs/default.yaml \
  --set faults.weights.read_errors.ber=0.001 --out "$tmp/analyze"
expect_error "$want" "$safsim" select configs/default.yaml --strategy corner \
  --set faults.weights.read_errors.ber=0.001 --out "$tmp/testset.json"
expect_error "$want" "$safsim" gradient configs/default.yaml --out "$tmp/grad" \
  --set faults.weights.read_errors.ber=0.001
expect_error "faults.weights.read_errors.ber must be in [0, 1], got 2" "$safsim" run \
  configs/default.yaml --set faults.weights.read_errors.ber=2 --out "$tmp/range"

# ber 1e-5 on 20 images: a few hundred wrong cells, each alone in its word. Without a code some
# of them change the logits; SEC-DED corrects every one.
# field FILE "['key']...": one value of a JSON file.
field() {
  python3 -c "import json, sys; print(eval('json.load(open(sys.argv[1]))' + sys.argv[2]))" "$@"
}
for scheme in none secded; do
  "$safsim" run configs/default.yaml --set workload.images=20 --set mitigation.scheme=$scheme \
    --set faults.weights.read_errors.ber=1e-5 --out "$tmp/$scheme" > "$tmp/$scheme.txt"
  grep -q "read errors .* cells sensed wrong" "$tmp/$scheme.txt" || {
    echo "FAIL: no read-errors line"; cat "$tmp/$scheme.txt"; exit 1; }
  wrong=$(field "$tmp/$scheme/summary.json" "['read_errors']['wrong_cells']")
  counted=$(field "$tmp/$scheme/summary.json" "['blocks']['accelerator.nvm.read_error_bits']")
  (( wrong > 100 && wrong == counted )) || { echo "FAIL: $scheme: $wrong wrong cells"; exit 1; }
done
change=$(field "$tmp/none/summary.json" "['mean_abs_logit_change']")
python3 -c "import sys; sys.exit(not float(sys.argv[1]) > 0)" "$change" || {
  echo "FAIL: the read errors did not change the logits without a code"; exit 1; }
change=$(field "$tmp/secded/summary.json" "['mean_abs_logit_change']")
[[ "$change" == "0.0" ]] || { echo "FAIL: SEC-DED left a logit change of $change"; exit 1; }

# ber 0 is no fault at all: the run is its own fault-free baseline.
"$safsim" run configs/default.yaml --set workload.images=5 --out "$tmp/zero" \
  --set faults.weights.read_errors.ber=0 > /dev/null
[[ "$(field "$tmp/zero/summary.json" "['read_errors']['wrong_cells']")" == 0 ]] || {
  echo "FAIL: ber 0 sensed cells wrong"; exit 1; }
echo "OK: read errors refused off the cycle engine, counted by safsim run, corrected by SEC-DED"
