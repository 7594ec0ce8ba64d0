#!/usr/bin/env bash
# `safsim lifetime` (and its alias `selftest`) on a short timeline of
# configs/selftest_lifetime.yaml: outputs exist, the same seed gives byte-identical outputs with 1 and 2 threads, healing follows every flag, and a
# test set made for another quantization is a user error (exit 2).
# Usage: selftest_lifetime.sh SAFSIM SOURCE_DIR
set -euo pipefail
safsim="$1"
src="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src"

short=(--set selftest.lifetime.hours=600 --set workload.images=100
       --set selftest.period=36000 --set selftest.lifetime.defect_rate_per_bit_hour=2.0e-5)
"$safsim" lifetime configs/selftest_lifetime.yaml --out "$tmp/t1" --threads 1 "${short[@]}" \
  >"$tmp/t1.log"
"$safsim" selftest configs/selftest_lifetime.yaml --out "$tmp/t2" --threads 2 "${short[@]}" \
  >"$tmp/t2.log"
for f in timeline.csv summary.json config.resolved.yaml; do
  [[ -s "$tmp/t1/$f" ]] || { echo "FAIL: $f missing"; exit 1; }
done
cmp "$tmp/t1/timeline.csv" "$tmp/t2/timeline.csv" || { echo "FAIL: timeline depends on threads"; exit 1; }
cmp "$tmp/t1/summary.json" "$tmp/t2/summary.json" || { echo "FAIL: summary depends on threads"; exit 1; }
# 600 h / (36000 inferences / 3600 per h) = 60 tests, 2 evaluations each.
[[ $(($(wc -l <"$tmp/t1/timeline.csv") - 1)) -eq 120 ]] || { echo "FAIL: timeline rows"; exit 1; }
/usr/bin/python3 - "$tmp/t1/summary.json" "$tmp/t1/timeline.csv" <<'PY'
import csv, json, sys
s = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
assert s["tests"] == 60, s["tests"]
assert s["flags"] == sum(r["flag"] == "1" for r in rows)
assert s["heals"] == s["flags"], "heal: true heals after every flag"
assert s["flags"] > 0 and s["defect_arrivals"] > 0, s
assert s["overhead"]["cycles_per_test"] == 20 * s["overhead"]["cycles_per_image"]
assert s["false_alarms"] == sum(r["flag"] == "1" and r["harmful"] == "0" for r in rows)
PY
# Without matplotlib the run still succeeds and says the plot was skipped.
SAFSIM_PYTHON=/nonexistent/python3 "$safsim" selftest configs/selftest_lifetime.yaml \
  --out "$tmp/noplot" "${short[@]}" >"$tmp/noplot.log" 2>&1
grep -q "plot            skipped" "$tmp/noplot.log" || { echo "FAIL: no skip note"; cat "$tmp/noplot.log"; exit 1; }
cmp "$tmp/t1/timeline.csv" "$tmp/noplot/timeline.csv"
[[ -s "$tmp/t1/plots/lifetime.png" ]] || ! /usr/bin/python3 -c "import matplotlib" 2>/dev/null \
  || { echo "FAIL: no plot although matplotlib is installed"; exit 1; }

# A test set selected for 8-bit weights does not fit a 6-bit deployment.
set +e
"$safsim" selftest configs/selftest_lifetime.yaml --out "$tmp/bad" "${short[@]}" \
  --set quant.weight_bits=6 >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[[ $rc -eq 2 ]] || { echo "FAIL: exit code $rc (want 2)"; cat "$tmp/err"; exit 1; }
grep -qF "select a test set for this model" "$tmp/err" || { echo "FAIL: message"; cat "$tmp/err"; exit 1; }
echo "selftest_lifetime: ok"
