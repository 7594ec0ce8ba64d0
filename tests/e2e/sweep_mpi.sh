#!/bin/bash
# Results are byte-identical for one process and for `mpirun -n 2` (skipped, with exit 0, when
# safsim is built without MPI or mpirun is missing); on the cycle engine with read errors
# (faults.weights.read_errors) too, whose draws are keyed by image, not by thread or rank.
#   bash tests/e2e/sweep_mpi.sh build/safsim .
set -euo pipefail
SAFSIM=$(realpath "$1")
if ! command -v mpirun > /dev/null; then
  echo "SKIP: mpirun is not installed (apt-get install openmpi-bin)"; exit 0
fi
if ! ldd "$SAFSIM" | grep -c libmpi > /dev/null; then
  echo "SKIP: safsim was built without MPI (configure with -DSAFSIM_MPI=ON and libopenmpi-dev)"
  exit 0
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
cat > mpi.yaml <<'YAML'
name: mpi
config:
  workload: {model: lenet5, images: 200}
  quant: {weight_bits: 4}
axes:
  - {key: faults.weights.stuck_at.rate, values: [0.005, 0.02]}
  - {key: mitigation.scheme, values: [none, addsub, c1]}
repeat: 3
metrics: [accuracy, accuracy_drop, weights_with_1_non_silent, weights_with_2plus_non_silent]
YAML
"$SAFSIM" sweep mpi.yaml --out one --threads 2 --no-progress 2> one.log
mpirun --allow-run-as-root --oversubscribe -n 2 "$SAFSIM" sweep mpi.yaml --out two --threads 1 \
  --no-progress 2> two.log || { cat two.log; exit 1; }
grep -q "x 2 rank(s)" two.log || { echo "FAIL: the sweep did not run on 2 ranks"; cat two.log; exit 1; }
for f in results.csv aggregate.csv summary.json sweep.resolved.yaml; do
  cmp "one/$f" "two/$f" || { echo "FAIL: $f differs between 1 process and 2 MPI ranks"; exit 1; }
done

cat > read_errors.yaml <<'YAML'
name: mpi_read_errors
engine: cycle
config:
  workload: {model: lenet5, images: 20}
axes:
  - {key: faults.weights.read_errors.ber, values: [0.001, 0.01]}
  - {key: mitigation.scheme, values: [none, secded]}
repeat: 2
metrics: [accuracy, accuracy_drop, cycles]
YAML
"$SAFSIM" sweep read_errors.yaml --out re_t1 --threads 1 --no-progress 2> re_t1.log
"$SAFSIM" sweep read_errors.yaml --out re_t2 --threads 2 --no-progress 2> re_t2.log
mpirun --allow-run-as-root --oversubscribe -n 2 "$SAFSIM" sweep read_errors.yaml --out re_r2 \
  --threads 1 --no-progress 2> re_r2.log || { cat re_r2.log; exit 1; }
grep -q "x 2 rank(s)" re_r2.log || {
  echo "FAIL: the read-error sweep did not run on 2 ranks"; exit 1; }
# The read errors must have had an effect, or the comparison proves nothing.
awk -F, 'NR > 1 && $2 == 0.01 && $3 == "none" && $7 > 0 { hit = 1 } END { exit !hit }' \
  re_t1/results.csv || { echo "FAIL: ber 0.01 did not lower the accuracy"; exit 1; }
for f in results.csv aggregate.csv summary.json sweep.resolved.yaml; do
  cmp "re_t1/$f" "re_t2/$f" || { echo "FAIL: read errors: $f differs for 1 and 2 threads"; exit 1; }
  cmp "re_t1/$f" "re_r2/$f" || { echo "FAIL: read errors: $f differs for 1 and 2 ranks"; exit 1; }
done
echo "OK: 1 process and 2 MPI ranks give byte-identical results (read errors: 1 and 2 threads too)"
