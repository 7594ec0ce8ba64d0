#!/bin/bash
# `safsim sweep --plot` draws PNG and SVG figures; without matplotlib it says how to install it
# and the sweep still succeeds. Skipped (exit 0) when Debian's python3-matplotlib is absent.
#   bash tests/e2e/sweep_plot.sh build/safsim .
set -euo pipefail
SAFSIM=$(realpath "$1")
if ! /usr/bin/python3 -c "import matplotlib" 2> /dev/null; then
  echo "SKIP: /usr/bin/python3 has no matplotlib (apt-get install python3-matplotlib)"; exit 0
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
cat > plot.yaml <<'YAML'
name: plot
config:
  workload: {model: lenet5, images: 50}
  quant: {weight_bits: 8}
axes:
  - {key: faults.weights.stuck_at.rate, values: [0.01, 0.05]}
  - {key: mitigation.scheme, values: [none, addsub]}
repeat: 2
metrics: [accuracy, deviation_histogram_after]
YAML
"$SAFSIM" sweep plot.yaml --out out --plot --no-progress 2> plot.log
for f in accuracy_vs_stuck_at.rate deviation_histogram_after_0; do
  for ext in png svg; do
    [ -s "out/plots/$f.$ext" ] || { echo "FAIL: out/plots/$f.$ext missing"; cat plot.log; exit 1; }
  done
done
# A python whose matplotlib cannot be imported: a hint, exit 0, results intact.
mkdir -p fake/matplotlib
echo 'raise ImportError("simulated")' > fake/matplotlib/__init__.py
PYTHONPATH=$PWD/fake "$SAFSIM" sweep plot.yaml --out out2 --plot --no-progress 2> noplot.log
grep -q "apt-get install python3-matplotlib" noplot.log
[ -s out2/results.csv ]
if PYTHONPATH=$PWD/fake "$SAFSIM" plot out2 2> plotcmd.log; then
  echo "FAIL: safsim plot must fail when it cannot draw"; exit 1
fi
grep -q "apt-get install python3-matplotlib" plotcmd.log
echo "OK: figures drawn; a missing matplotlib is a hint, not a failed sweep"
