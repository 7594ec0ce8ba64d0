#!/bin/bash
# Nothing lost: a sweep killed with SIGKILL mid-run, then one stopped with SIGINT, each resumed
# with --resume, give result files byte-identical to an uninterrupted run.
#   bash tests/e2e/sweep_resume.sh build/safsim .
set -euo pipefail
SAFSIM=$(realpath "$1")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
cat > resume.yaml <<'YAML'
name: resume
config:
  workload: {model: lenet5, images: 600}
  quant: {weight_bits: 4}
axes:
  - {key: faults.weights.stuck_at.rate, values: [0.005, 0.02]}
  - {key: mitigation.scheme, values: [none, addsub]}
repeat: 6
metrics: [accuracy, accuracy_drop, non_silent_faults, mean_abs_deviation_after]
YAML
FILES="results.csv aggregate.csv summary.json sweep.resolved.yaml"

"$SAFSIM" sweep resume.yaml --out full --threads 1 --no-progress 2> full.log

# Waits until DIR's journal holds at least N trial lines (the header is line 1).
wait_for_trials() {
  for _ in $(seq 1 600); do
    local lines
    lines=$( (cat "$1/journal.jsonl" 2>/dev/null || true) | wc -l)
    if [ "$lines" -gt "$2" ]; then return 0; fi
    sleep 0.05
  done
  echo "FAIL: no progress in $1"; exit 1
}

compare() {
  for f in $FILES; do
    cmp "full/$f" "$1/$f" || { echo "FAIL: $1/$f differs from the uninterrupted run"; exit 1; }
  done
}

# 1. kill -9 midway.
"$SAFSIM" sweep resume.yaml --out killed --threads 1 --no-progress 2> killed.log &
PID=$!
wait_for_trials killed 4
kill -9 $PID
wait $PID 2>/dev/null || true
DONE=$(($(wc -l < killed/journal.jsonl) - 1))
if [ ! -e killed/results.csv ] && [ "$DONE" -lt 24 ]; then :; else
  echo "FAIL: the sweep finished before it was killed ($DONE trials)"; exit 1
fi
if "$SAFSIM" sweep resume.yaml --out killed --no-progress 2> again.log; then
  echo "FAIL: reusing a journaled directory without --resume must fail"; exit 1
fi
grep -q "pass --resume to continue that sweep" again.log
"$SAFSIM" sweep resume.yaml --out killed --resume --threads 2 --no-progress 2> resumed.log
grep -q "from the journal" resumed.log
compare killed

# 2. Ctrl-C: exit code 130, a message on how to resume, then --resume.
"$SAFSIM" sweep resume.yaml --out interrupted --threads 1 --no-progress 2> int.log &
PID=$!
wait_for_trials interrupted 3
kill -INT $PID
set +e
wait $PID
RC=$?
set -e
[ "$RC" -eq 130 ] || { echo "FAIL: SIGINT exit code $RC, expected 130"; cat int.log; exit 1; }
grep -q -- "--out interrupted --resume" int.log
"$SAFSIM" sweep resume.yaml --out interrupted --resume --no-progress 2>> int.log
compare interrupted
echo "OK: killed after $DONE trials and interrupted; both resumed byte-identical"
