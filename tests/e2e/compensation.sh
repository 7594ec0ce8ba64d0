#!/usr/bin/env bash
# mitigation.ties and mitigation.bias_compensation from the CLI: eval and run agree bit for bit,
# summary.json reports the channel deviations and bias shifts, the options win back accuracy, and
# the commands that run the model's own biases refuse compensation.
# Usage: compensation.sh SAFSIM SOURCE_DIR
set -euo pipefail
safsim="$1"
src="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src"
source "$src/tests/e2e/lib/expect_error.sh"

faults=(--set quant.weight_bits=4 --set faults.weights.stuck_at.preset=rram
  --set faults.weights.stuck_at.rate=0.05 --set mitigation.scheme=c1 --set workload.images=300)
"$safsim" eval configs/default.yaml "${faults[@]}" --out "$tmp/literal" >/dev/null
"$safsim" eval configs/default.yaml "${faults[@]}" --set mitigation.ties=balanced \
  --set mitigation.bias_compensation=mean --out "$tmp/eval" >"$tmp/eval.log"
grep -q "^mitigation: ties balanced" "$tmp/eval.log" || { echo "FAIL: no mitigation line"; exit 1; }
"$safsim" run configs/default.yaml "${faults[@]}" --set workload.images=2 \
  --set mitigation.ties=balanced --set mitigation.bias_compensation=mean \
  --set output.predictions=true --out "$tmp/run" >/dev/null
"$safsim" eval configs/default.yaml "${faults[@]}" --set workload.images=2 \
  --set mitigation.ties=balanced --set mitigation.bias_compensation=mean \
  --set output.predictions=true --out "$tmp/eval2" >/dev/null
/usr/bin/python3 - "$tmp" <<'PY'
import csv, json, sys
t = sys.argv[1]
lit = json.load(open(f"{t}/literal/summary.json"))
s = json.load(open(f"{t}/eval/summary.json"))
d, dl = s["deployment"], lit["deployment"]
assert d["mean_abs_channel_deviation_after"] < dl["mean_abs_channel_deviation_after"] / 5, (d, dl)
assert d["mean_abs_bias_shift"] > 0 and d["max_abs_bias_shift"] > 0, d
assert dl["mean_abs_bias_shift"] == 0, dl
rows = list(csv.DictReader(open(f"{t}/eval/bias_shift.csv")))
assert len(rows) == d["output_channels"], len(rows)
assert all(int(r["deployed_bias"]) - int(r["bias"]) == int(r["shift"]) for r in rows)
shifts = [abs(int(r["shift"])) for r in rows]
assert max(shifts) == d["max_abs_bias_shift"], (max(shifts), d["max_abs_bias_shift"])
assert abs(sum(shifts) / len(shifts) - d["mean_abs_bias_shift"]) < 1e-9
assert s["accuracy"] > lit["accuracy"] + 0.2, (s["accuracy"], lit["accuracy"])
# Both engines run the compensated biases: the same logits for the same two images.
run = list(csv.reader(open(f"{t}/run/predictions.csv")))
ev = list(csv.reader(open(f"{t}/eval2/predictions.csv")))
assert run == ev, (run, ev)
PY
expect_error "mitigation.bias_compensation is mean, but safsim analyze" \
  "$safsim" analyze criticality configs/default.yaml --set mitigation.bias_compensation=mean \
  --out "$tmp/a"
expect_error "needs an integer weight format" \
  "$safsim" eval configs/default.yaml --set quant.weight_format=fp32 \
  --set mitigation.bias_compensation=mean --out "$tmp/f"
echo "compensation: ok"
