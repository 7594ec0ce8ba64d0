#!/bin/bash
# Bad sweep files fail before any trial with exit code 2 and file:line:col messages.
#   bash tests/e2e/sweep_errors.sh build/safsim .
set -uo pipefail
SAFSIM=$(realpath "$1")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
FAILED=0

# expect_error FILE_CONTENT EXPECTED_STDERR_LINE
expect_error() {
  printf '%s\n' "$1" > bad.yaml
  "$SAFSIM" sweep bad.yaml --out out --no-progress > /dev/null 2> err.txt
  local rc=$?
  if [ $rc -ne 2 ] || [ "$(cat err.txt)" != "$2" ]; then
    echo "FAIL (exit $rc): expected: $2"; echo "  got: $(cat err.txt)"; FAILED=1
  fi
  if [ -e out/journal.jsonl ]; then
    echo "FAIL: a trial ran for a bad sweep file"; FAILED=1
  fi
}

expect_error "axes:
  - {key: faults.weights.stuck_at.rate, values: [0.01, 2]}" \
  "error: bad.yaml:2:56: faults.weights.stuck_at.rate must be in [0, 1], got 2"
expect_error "axes:
  - {key: mitigation.schem, values: [none]}" \
  "error: bad.yaml:2:11: unknown key 'mitigation.schem' (did you mean 'scheme'?); allowed keys: bias_compensation, decoder_latency_cycles, defect_map, scheme, secded_group_words, tie_slack, ties"
expect_error "axes:
  - {key: mitigation.scheme, values: []}" \
  "error: bad.yaml:2:38: axes[0] mitigation.scheme: 'values' is empty; an axis needs at least one value"
expect_error "axes:
  - {key: quant.weight_bits, values: [eight]}" \
  "error: bad.yaml:2:39: quant.weight_bits must be an integer, got 'eight'"
expect_error "repeat: 5
metrics: [accuracy, cycles]" \
  "error: bad.yaml:2:21: metric 'cycles' comes from the cycle engine, but the sweep runs the functional engine at some points; set engine: cycle"
expect_error "engine: functional
config:
  faults: {scheduled_flips: ['100:nvm:0:7']}" \
  "error: bad.yaml:3:29: faults.scheduled_flips needs engine: cycle (the functional engine has no cycles or addresses; use faults.weights.bitflip or faults.activations.bitflip)"
expect_error "engine: functional
axes:
  - {key: faults.weights.read_errors.ber, values: [0.001, 0.01]}" \
  "error: bad.yaml:3:52: faults.weights.read_errors.ber = 0.001 needs engine: cycle (each NVM read draws its own errors; the functional engine reads every weight once for all images; use \`safsim run\`, a sweep with engine: cycle, or faults.weights.bitflip for errors in the stored words)"

"$SAFSIM" sweep missing.yaml --no-progress 2> err.txt
[ $? -eq 2 ] && grep -q "cannot open sweep file 'missing.yaml'" err.txt || {
  echo "FAIL: missing sweep file: $(cat err.txt)"; FAILED=1; }
mkdir -p empty
"$SAFSIM" plot empty 2> err.txt
[ $? -eq 2 ] && grep -q "'empty' holds no results.csv" err.txt || {
  echo "FAIL: plot of an empty directory: $(cat err.txt)"; FAILED=1; }
[ $FAILED -eq 0 ] && echo "OK: every bad sweep file was refused before any trial"
exit $FAILED
