#!/usr/bin/env bash
# eval and run with faults print the fault-free baseline and the drop, and write them to
# summary.json: the baseline equals the accuracy of the same command without faults (for run,
# measured on the functional engine, equal to the cycle engine's), the drop their difference.
# Usage: fault_free_baseline.sh SAFSIM SOURCE_DIR
set -euo pipefail
safsim="$1"
src="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cfg="$src/configs/default.yaml"
faults=(--set faults.weights.stuck_at.rate=0.03 --set faults.activations.bitflip.mode=random
        --set faults.activations.bitflip.rate=1e-4)

# field DIR KEY: summary.json's value of KEY.
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" \
  "$1/summary.json" "$2"; }
# check_summary FAULTY CLEAN: FAULTY's baseline is CLEAN's accuracy, its drop the difference.
check_summary() {
  python3 - "$1/summary.json" "$2/summary.json" <<'PY'
import json, sys
faulty, clean = (json.load(open(p)) for p in sys.argv[1:])
assert faulty["fault_free_accuracy"] == clean["accuracy"], (faulty, clean)
assert abs(faulty["accuracy_drop"] - (clean["accuracy"] - faulty["accuracy"])) < 1e-12
assert faulty["fault_free_engine"] == "functional"
assert faulty["accuracy"] < clean["accuracy"], "the faults should cost accuracy here"
PY
}

# eval: one line with both figures.
"$safsim" eval --set workload.images=300 "${faults[@]}" --out "$tmp/eval_faulty" \
  >"$tmp/eval_faulty.out" 2>/dev/null
"$safsim" eval --set workload.images=300 --out "$tmp/eval_clean" >"$tmp/eval_clean.out" 2>/dev/null
check_summary "$tmp/eval_faulty" "$tmp/eval_clean"
acc=$(field "$tmp/eval_faulty" accuracy)
base=$(field "$tmp/eval_faulty" fault_free_accuracy)
want=$(python3 -c "a, b = $acc, $base; print(f'accuracy {100*a:.2f}% (fault-free {100*b:.2f}%, drop {100*(b-a):.2f} points; ')")
grep -qF "$want" "$tmp/eval_faulty.out" ||
  { echo "FAIL: eval prints no '$want'"; cat "$tmp/eval_faulty.out"; exit 1; }
# Without faults: the pass is its own baseline, nothing extra printed.
! grep -q "fault-free" "$tmp/eval_clean.out" || { echo "FAIL: baseline printed without faults"; exit 1; }
[[ $(field "$tmp/eval_clean" accuracy_drop) == 0.0 ]]

# run: the baseline from the functional engine equals a fault-free cycle-engine run.
"$safsim" run "$cfg" --set workload.images=12 "${faults[@]}" --out "$tmp/run_faulty" \
  >"$tmp/run_faulty.out" 2>/dev/null
"$safsim" run "$cfg" --set workload.images=12 --out "$tmp/run_clean" >/dev/null 2>&1
check_summary "$tmp/run_faulty" "$tmp/run_clean"
grep -q "^  accuracy .*; fault-free [0-9.]*%, drop [0-9.-]* points)$" "$tmp/run_faulty.out" ||
  { echo "FAIL: run prints no baseline"; cat "$tmp/run_faulty.out"; exit 1; }
grep -q "^  fault-free      on the functional engine" "$tmp/run_faulty.out"
[[ $(field "$tmp/run_clean" fault_free_engine) == cycle ]]
echo "fault_free_baseline: 1 passed, 0 failed"
