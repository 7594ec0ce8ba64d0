#!/usr/bin/env bash
# `safsim run` with the SelfTestController: summary.json reports the test overhead and every
# test, the VCD holds the controller's signals, and a missing test set is a user error.
# Usage: selftest_run.sh SAFSIM SOURCE_DIR
set -euo pipefail
safsim="$1"
src="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src"

# The committed test set was selected for the C-1 deployment of configs/selftest_lifetime.yaml.
"$safsim" run configs/default.yaml --out "$tmp/run" --trace \
  --set mitigation.scheme=c1 --set workload.images=6 --set selftest.enabled=true \
  --set selftest.testset=configs/selftest/lenet5_testset.json --set selftest.period=3 \
  --set output.trace.scopes=[accelerator.self_test] >"$tmp/run.log" 2>"$tmp/run.err"
# SystemC's own info messages (I703, the trace time unit) do not reach the user.
if grep -q "Info: (I" "$tmp/run.log" "$tmp/run.err"; then
  echo "FAIL: a SystemC info message reached the terminal"; cat "$tmp/run.err"; exit 1
fi
grep -q "self-test" "$tmp/run.log" || { echo "FAIL: no self-test line"; cat "$tmp/run.log"; exit 1; }
grep -q "accelerator.self_test\|self_test" "$tmp/run/trace.vcd" || { echo "FAIL: VCD"; exit 1; }
/usr/bin/python3 - "$tmp/run/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
t = s["self_test"]
per_image = s["cycles"] // s["inferences"]
assert s["images"] == 6 and s["inferences"] == 6 + 2 * 20, s["inferences"]
assert t["tests_run"] == 2 and not t["fault_detected"], t
assert t["test_cycles"] == 2 * 20 * per_image, (t["test_cycles"], per_image)
assert abs(t["test_cycle_share"] - 40 / 46) < 1e-12, t["test_cycle_share"]
assert t["buffer_bytes"] == 20 * 784 + 20 * 10, t["buffer_bytes"]
assert [x["start_cycle"] for x in t["tests"]] == [3 * per_image, 26 * per_image]
assert [x["end_cycle"] for x in t["tests"]] == [23 * per_image, 46 * per_image]
PY
set +e
"$safsim" run configs/default.yaml --out "$tmp/bad" --set selftest.enabled=true >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[[ $rc -eq 2 ]] || { echo "FAIL: exit code $rc (want 2)"; cat "$tmp/err"; exit 1; }
grep -qF "selftest.testset is empty" "$tmp/err" || { echo "FAIL: message"; cat "$tmp/err"; exit 1; }
echo "selftest_run: ok"
