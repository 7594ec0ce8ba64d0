#!/bin/bash
# A sweep of more than 10^8 trial-images is refused (exit 2, its trials and trial-images named,
# nothing written) unless started with --yes; a --resume of a sweep so started needs no --yes,
# a --resume that would start one afresh does.
#   bash tests/e2e/sweep_confirm.sh build/safsim .
set -euo pipefail
SAFSIM=$(realpath "$1")
src=$(realpath "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
source "$src/tests/e2e/lib/expect_error.sh"

# 101 rates x 100 fault maps x all 10,000 test images = 101,000,000 trial-images.
rates=$(seq -s ', ' 0 0.0001 0.01)
cat > big.yaml <<YAML
name: big
config:
  workload: {model: lenet5}
  quant: {weight_bits: 4}
axes:
  - {key: faults.weights.stuck_at.rate, values: [$rates]}
repeat: 100
YAML
refusal="sweep big has 10100 trials of 10000 images, 101000000 trial-images, more than the 100000000 a sweep runs without confirmation"

expect_error "$refusal" "$SAFSIM" sweep big.yaml --out fresh --no-progress
[ ! -e fresh ] || { echo "FAIL: a refused sweep created its --out directory"; exit 1; }
# --resume of a directory that holds no journal starts the sweep afresh: it needs --yes too.
expect_error "$refusal" "$SAFSIM" sweep big.yaml --out fresh --resume --no-progress
"$SAFSIM" sweep big.yaml --dry-run > dry.txt
grep -qF "size: 10100 trials of 10000 images, 101000000 trial-images, more than 100000000: it starts only with --yes" dry.txt

# Exactly the limit starts without --yes: 100 rates.
sed 's/, 0.0100]/]/' big.yaml > edge.yaml
"$SAFSIM" sweep edge.yaml --dry-run | grep -qx "size: 10000 trials of 10000 images, 100000000 trial-images"

# Started with --yes, stopped with Ctrl-C after some trials, resumed without --yes.
wait_for_trials() {
  for _ in $(seq 1 1200); do
    if [ "$( (cat "$1/journal.jsonl" 2>/dev/null || true) | wc -l)" -gt "$2" ]; then return 0; fi
    sleep 0.05
  done
  echo "FAIL: no trial finished in $1"; exit 1
}
run_until_trials() {  # run_until_trials N sweep-arguments...: SIGINT once N trials are journaled
  local n=$1
  shift
  "$SAFSIM" "$@" > /dev/null 2>> run.log &
  local pid=$!
  wait_for_trials accepted "$n"
  kill -INT $pid
  set +e
  wait $pid
  local rc=$?
  set -e
  [ $rc -eq 130 ] || { echo "FAIL: exit code $rc after SIGINT, want 130"; cat run.log; exit 1; }
}
run_until_trials 1 sweep big.yaml --out accepted --threads 1 --no-progress --yes
first=$(($(wc -l < accepted/journal.jsonl) - 1))
run_until_trials $((first + 1)) sweep big.yaml --out accepted --threads 1 --no-progress --resume
grep -q "from the journal" run.log
if grep -q "without confirmation" run.log; then echo "FAIL: the resume asked again"; exit 1; fi
echo "OK: refused without --yes, started with it, resumed without it ($first trials, then more)"
