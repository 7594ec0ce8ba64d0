#!/usr/bin/env bash
# safsim analyze on the 002 repro configs, shrunk: every subcommand writes its tables, results
# do not depend on the thread count, and bad input exits with code 2 and a clear message.
# Usage: analyze_resilience.sh SAFSIM SOURCE_DIR
set -euo pipefail
safsim="$1"
src="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

source "$src/tests/e2e/lib/expect_error.sh"

repro="$src/configs/repro"
# --progress: plain lines in a log, the last one at 100% of both passes (20 training images for
# relevance, 50 test images for the fault-free accuracy), never a carriage return.
"$safsim" analyze criticality "$repro/002_criticality.yaml" --set analysis.relevance_images=20 \
  --set workload.images=50 --no-plot --out "$tmp/crit" --progress >/dev/null 2>"$tmp/crit.err"
grep -q "^criticality: 70/70 images (100%), .* images/s, ETA 0:00$" "$tmp/crit.err" ||
  { echo "FAIL: analyze criticality --progress"; cat "$tmp/crit.err"; exit 1; }
! grep -q $'\r' "$tmp/crit.err" || { echo "FAIL: a carriage return in a log"; exit 1; }
grep -q '"mean_sd_normalized_criticality"' "$tmp/crit/summary.json"
head -1 "$tmp/crit/criticality.csv" | grep -q '^layer,name,consumers,feature,eta,eta_normalized,eq6_scale$'
# archopt: conv0, pool and conv2 outputs are read by an array layer; 16 + 64 + 64 features.
[[ $(($(wc -l <"$tmp/crit/criticality.csv") - 1)) -eq 144 ]]

# One layer's neurons (the 64 GAP outputs of cnn_s002), with 1 and 2 threads, and a comparison.
for t in 1 2; do
  "$safsim" analyze neuron-failures "$repro/002_neuron_failures.yaml" --set workload.images=30 \
    --set analysis.layer=/gap/GlobalAveragePool --threads $t --no-plot --out "$tmp/nf$t" \
    2>/dev/null >/dev/null
done
cmp "$tmp/nf1/neurons.csv" "$tmp/nf2/neurons.csv"
[[ $(($(wc -l <"$tmp/nf1/neurons.csv") - 1)) -eq 64 ]]
grep -q '"worst_failure_rate"' "$tmp/nf1/summary.json"

"$safsim" analyze neuron-failures "$repro/002_neuron_failures.yaml" --set workload.images=20 \
  --set analysis.sample=true --set analysis.error_margin=0.05 --set analysis.confidence=0.95 \
  --compare cnn_s002_archopt --no-plot --out "$tmp/cmp" 2>/dev/null >/dev/null
head -1 "$tmp/cmp/histogram.csv" | grep -q '^bin_lo,bin_hi,cnn_s002,cnn_s002_archopt$'
grep -q '"sampling"' "$tmp/cmp/summary.json"
grep -q '"tested": 383' "$tmp/cmp/summary.json"  # Leveugle: N = 87,882, e = 5%, 95% -> 383
[[ -f "$tmp/cmp/compare/neurons.csv" ]]

"$safsim" analyze ber "$repro/002_ber.yaml" --set workload.images=20 --set analysis.ber_runs=3 \
  --set 'analysis.ber_rates=[1e-3]' --no-plot --out "$tmp/ber" --progress >/dev/null \
  2>"$tmp/ber.err"
grep -q '^cnn_s002_archopt,0.001,3,' "$tmp/ber/ber.csv"
# Both passes: the flips of every run, then the fault-free accuracy, 20 images each.
grep -q "^ber: 40/40 images (100%), .* images/s, ETA 0:00$" "$tmp/ber.err" ||
  { echo "FAIL: analyze ber --progress"; cat "$tmp/ber.err"; exit 1; }

# No progress unasked in a log, nor with --no-progress.
for flag in "" --no-progress; do
  "$safsim" analyze criticality "$repro/002_criticality.yaml" --set analysis.relevance_images=2 \
    --set workload.images=2 --no-plot --out "$tmp/crit_quiet" $flag >/dev/null 2>"$tmp/quiet.err"
  "$safsim" analyze ber "$repro/002_ber.yaml" --set workload.images=2 --set analysis.ber_runs=1 \
    --set 'analysis.ber_rates=[1e-3]' --no-plot --out "$tmp/ber_quiet" $flag >/dev/null \
    2>>"$tmp/quiet.err"
  ! grep -q "images/s" "$tmp/quiet.err" ||
    { echo "FAIL: progress shown with '$flag'"; cat "$tmp/quiet.err"; exit 1; }
done

"$safsim" sweep "$repro/002_ber_sweep.yaml" --dry-run >/dev/null

# Figures, when Debian's matplotlib is there (the analyses never need it).
if /usr/bin/python3 -c "import matplotlib" 2>/dev/null; then
  for d in crit cmp ber; do
    /usr/bin/python3 "$src/scripts/plot_resilience.py" "$tmp/$d"
  done
  [[ -f "$tmp/crit/plots/criticality.png" && -f "$tmp/cmp/plots/failure_rate_histogram.svg" ]]
  [[ -f "$tmp/ber/plots/failure_rate_vs_ber.png" ]]
fi

expect_error "analysis.ber_rates" "$safsim" analyze ber "$repro/002_ber.yaml" \
  --set 'analysis.ber_rates=[fast]' --out "$tmp/bad"
expect_error "no_such_layer" "$safsim" analyze neuron-failures "$repro/002_neuron_failures.yaml" \
  --set analysis.layer=no_such_layer --set workload.images=2 --out "$tmp/bad"
expect_error "integer deployment" "$safsim" analyze criticality "$repro/002_criticality.yaml" \
  --set quant.weight_format=fp32 --out "$tmp/bad"
echo "analyze_resilience: ok"
