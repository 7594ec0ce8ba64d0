#!/usr/bin/env bash
# Every command that writes files ends with one line on stderr saying where they went:
# "wrote /absolute/dir: name, name, ...", listing exactly the files it wrote, which all exist;
# `safsim bench --out DIR` writes its JSON line to DIR/bench.json. Progress lines appear in a
# log only when asked (--progress).
# Usage: output_lines.sh SAFSIM SOURCE_DIR
set -euo pipefail
safsim="$1"
src="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"  # relative --out directories: the line must still name them absolutely
here=$(pwd -P)
cfg="$src/configs/default.yaml"

# expect_wrote LOG DIR NAME...: the last line of LOG is "wrote $here/DIR: NAME, NAME, ...",
# and every NAME exists under DIR.
expect_wrote() {
  local log="$1" dir="$2"
  shift 2
  local names
  names=$(printf '%s, ' "$@")
  local want="wrote $here/$dir: ${names%, }"
  local got
  got=$(tail -n 1 "$log")
  if [[ "$got" != "$want" ]]; then
    echo "FAIL: last line of $log is '$got', want '$want'"; cat "$log"; exit 1
  fi
  for name in "$@"; do
    [[ -e "$dir/$name" ]] || { echo "FAIL: $dir/$name is listed but missing"; exit 1; }
  done
}

"$safsim" eval --set workload.images=50 --out eval >eval.out 2>eval.err
expect_wrote eval.err eval deviation.csv summary.json config.resolved.yaml
grep -q "accuracy" eval.out  # the results stay on stdout
# Progress: none when stderr is not a terminal (above: the last line is the "wrote" line, and
# no other mentions images done); with --progress, plain lines over both passes (faults: the
# run and its fault-free baseline), never a carriage return.
! grep -q "eval: .* images" eval.err || { echo "FAIL: progress in a log unasked"; exit 1; }
"$safsim" eval --set workload.images=200 --set faults.weights.stuck_at.rate=0.01 --progress \
  --out evalp >/dev/null 2>evalp.err
grep -q "^eval: 400/400 images (100%), .* images/s, ETA 0:00$" evalp.err ||
  { echo "FAIL: eval --progress"; cat evalp.err; exit 1; }
! grep -q $'\r' evalp.err || { echo "FAIL: a carriage return in a log"; exit 1; }
expect_wrote evalp.err evalp deviation.csv summary.json config.resolved.yaml

"$safsim" run "$cfg" --set workload.images=2 --out run/ >run.out 2>run.err
expect_wrote run.err run deviation.csv summary.json layers.csv config.resolved.yaml

"$safsim" select "$cfg" --strategy corner --count 3 --out sets/t.json >/dev/null 2>select.err
expect_wrote select.err sets t.json

"$safsim" gradient --set workload.images=2 --out grad.json >/dev/null 2>gradient.err
[[ "$(tail -n 1 gradient.err)" == "wrote $here: grad.json" ]] ||
  { echo "FAIL: gradient: $(tail -n 1 gradient.err)"; exit 1; }

"$safsim" analyze ber "$cfg" --set analysis.ber_runs=2 --set 'analysis.ber_rates=[1e-3]' \
  --set workload.images=20 --no-plot --out ber --compare lenet5_avgpool >/dev/null 2>ber.err
expect_wrote ber.err ber summary.json config.resolved.yaml ber.csv compare/summary.json \
  compare/config.resolved.yaml compare/ber.csv

cat >s.yaml <<'YAML'
name: lines
config: {workload: {model: lenet5, images: 20}}
axes: [{key: faults.weights.stuck_at.rate, values: [0.01]}]
YAML
"$safsim" sweep s.yaml --out sweep --threads 1 --no-progress 2>sweep.err
expect_wrote sweep.err sweep results.csv aggregate.csv summary.json sweep.resolved.yaml \
  timing.json journal.jsonl

# bench --out DIR: the JSON line on stdout and, the same, in DIR/bench.json.
"$safsim" bench --set workload.images=20 --repeat 1 --out bench >bench.out 2>bench.err
expect_wrote bench.err bench bench.json
cmp bench.out bench/bench.json || { echo "FAIL: bench.json differs from the printed line"; exit 1; }
grep -q '"images_per_s"' bench/bench.json
# No --out: bench prints its JSON line only, writes no file and says nothing about files.
"$safsim" bench --set workload.images=20 --repeat 1 >bench.out 2>bench.err
! grep -q "^wrote" bench.err || { echo "FAIL: bench without --out claims to have written"; exit 1; }
[[ ! -e out ]] || { echo "FAIL: bench without --out wrote into output.dir"; exit 1; }
echo "output_lines: 1 passed, 0 failed"
