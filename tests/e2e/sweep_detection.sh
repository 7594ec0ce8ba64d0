#!/usr/bin/env bash
# The detection experiment (000 §IV) through the sweep runner: 1 and 2 threads give
# byte-identical results, detection.csv agrees with the per-trial columns, a resumed sweep gives
# the same files, and bad `selftest:` sections are clear errors (exit 2).
# Usage: sweep_detection.sh SAFSIM SOURCE_DIR
set -euo pipefail
safsim=$(realpath "$1")
src=$(realpath "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
cat > det.yaml << 'YAML'
name: det
engine: functional
config:
  workload: {model: lenet5, images: 300}
  faults: {weights: {bitflip: {mode: msb}}}
axes:
  - {key: faults.weights.bitflip.rate, values: [0.0005, 0.005]}
repeat: 6
seed: 5
selftest:
  strategies: [corner, corner_grad, prob_distrib, coverage, random, sensitivity]
  count: 4
  harm_threshold_points: 1
  sensitivity: {maps: 2, mode: msb, rate: 0.002}
YAML
files="results.csv aggregate.csv summary.json sweep.resolved.yaml detection.csv"
"$safsim" sweep det.yaml --out t1 --threads 1 --no-progress 2> t1.log
"$safsim" sweep det.yaml --out t2 --threads 2 --no-progress 2> t2.log
for f in $files; do
  cmp "t1/$f" "t2/$f" || { echo "FAIL: $f differs between 1 and 2 threads"; exit 1; }
done
images() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['images'])" "$1"; }
for s in corner corner_grad prob_distrib coverage random sensitivity; do
  [[ "$(images t1/testsets/lenet5_0_300_$s.json)" == "$(images t2/testsets/lenet5_0_300_$s.json)" ]] ||
    { echo "FAIL: the $s test set differs between 1 and 2 threads"; exit 1; }
done
[[ $(ls t1/testsets | wc -l) -eq 6 ]] || { echo "FAIL: one test set per strategy expected"; exit 1; }

# detection.csv counts the per-trial columns of results.csv.
/usr/bin/python3 - t1 << 'PY'
import csv, sys
d = sys.argv[1]
trials = list(csv.DictReader(open(f"{d}/results.csv")))
det = list(csv.DictReader(open(f"{d}/detection.csv")))
assert len(det) == 2 * 6, len(det)
for row in det:
    sel = [t for t in trials if t["point"] == row["point"]]
    col = "detected_" + row["strategy"]
    tp = sum(t["harmful"] == "1" and t[col] == "1" for t in sel)
    tn = sum(t["harmful"] == "0" and t[col] == "0" for t in sel)
    assert int(row["tp"]) == tp and int(row["tn"]) == tn, row
    assert int(row["maps"]) == len(sel) == 6
    assert abs(float(row["accuracy"]) - (tp + tn) / 6) < 1e-12
    assert float(row["accuracy_lo"]) <= float(row["accuracy"]) <= float(row["accuracy_hi"])
    # harmful = the accuracy drop reaches 1 point
for t in trials:
    assert (t["harmful"] == "1") == (100 * float(t["accuracy_drop"]) >= 1 - 1e-12), t
PY

# The resolved sweep file is itself a sweep file with the same selftest section.
"$safsim" sweep t1/sweep.resolved.yaml --out t3 --threads 2 --no-progress 2> t3.log
cmp t1/detection.csv t3/detection.csv || { echo "FAIL: resolved sweep differs"; exit 1; }

# Resume: a journal cut to its first trials completes to the same files.
mkdir t4
head -n 5 t1/journal.jsonl > t4/journal.jsonl
"$safsim" sweep det.yaml --out t4 --threads 2 --resume --no-progress 2> t4.log
for f in $files; do
  cmp "t1/$f" "t4/$f" || { echo "FAIL: resumed $f differs"; exit 1; }
done

expect_error() {  # expect_error "message part" sweep-file
  set +e
  "$safsim" sweep "$2" --out "bad_$RANDOM" --no-progress > out.txt 2> err.txt
  local rc=$?
  set -e
  [[ $rc -eq 2 ]] || { echo "FAIL: exit $rc (want 2) for $2"; cat err.txt; exit 1; }
  grep -qF -- "$1" err.txt || { echo "FAIL: stderr lacks '$1'"; cat err.txt; exit 1; }
}
sed 's/corner_grad,/corner_grd,/' det.yaml > typo.yaml
expect_error "typo.yaml:11:24: unknown strategy 'corner_grd' (did you mean 'corner_grad'?)" typo.yaml
sed 's/  count: 4/  cuont: 4/' det.yaml > key.yaml
expect_error "unknown key 'selftest.cuont' (did you mean 'count'?)" key.yaml
sed 's/engine: functional/engine: cycle/' det.yaml > cycle.yaml
expect_error "the detection experiment runs on the functional engine" cycle.yaml
sed 's/harm_threshold_points: 1/harm_threshold_points: -1/' det.yaml > theta.yaml
expect_error "selftest.harm_threshold_points must be in [0, 100], got -1" theta.yaml
# The repro files of 000 plan cleanly.
for f in "$src"/configs/repro/000_*.yaml; do
  "$safsim" sweep "$f" --dry-run > /dev/null || { echo "FAIL: dry run of $f"; exit 1; }
done
echo "sweep_detection: passed"
