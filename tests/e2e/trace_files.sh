#!/usr/bin/env bash
# `safsim run --trace`: the VCD ends at the window's end, trace.gtkw and its translate files sit
# beside it, the size estimate holds and guards, and a scope glob that matches nothing is refused.
# Usage: trace_files.sh SAFSIM SOURCE_DIR
set -euo pipefail
safsim="$1"
src="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

source "$src/tests/e2e/lib/expect_error.sh"

# docs/traces.md's recipe: fold 1 of LeNet-5's conv2, cycles 3470-3579 at 500 MHz.
"$safsim" run "$src/configs/default.yaml" --set workload.images=1 \
  --set accelerator.ideal_memory=true --trace --out "$tmp/t" \
  --set 'output.trace.scopes=[accelerator.clk, accelerator.controller, accelerator.nvm, "accelerator.array.pe_0_*"]' \
  --set output.trace.start_cycle=3470 --set output.trace.end_cycle=3579 >"$tmp/t.out"

# The last time stamp is the end of cycle 3579: (3579 + 1) x 2000 ps.
last=$(grep '^#' "$tmp/t/trace.vcd" | tail -n 1)
[[ "$last" == "#7160000" ]] || { echo "FAIL: last time stamp $last, want #7160000"; exit 1; }
first=$(grep -m 1 '^#' "$tmp/t/trace.vcd")
[[ "$first" == "#6941000" ]] || { echo "FAIL: first time stamp $first, want #6941000"; exit 1; }

# The save file names the VCD and the view's signals with their full names and formats.
gtkw="$tmp/t/trace.gtkw"
grep -qF "[dumpfile] \"$tmp/t/trace.vcd\"" "$gtkw"
grep -qF '[timestart] 6940000' "$gtkw"
for sig in controller.state controller.load_fold nvm.read_address nvm.read_raw nvm.read_decoded \
  array.pe_0_0.weight array.pe_0_3.psum array.pe_0_3.weight_valid; do
  grep -q "^SystemC\.accelerator\.$sig" "$gtkw" || { echo "FAIL: $sig not in trace.gtkw"; exit 1; }
done
# psum is shown in signed decimal (GTKWave's flags 0x420), the state through its translate file.
grep -B1 '^SystemC.accelerator.array.pe_0_0.psum' "$gtkw" | grep -qx '@420'
filter=$(grep -A1 '^\^1 ' "$gtkw" | head -n 1 | cut -d' ' -f2-)
grep -qx '1 array_layer' "$filter"
grep -qF "trace.gtkw" "$tmp/t.out"

# The estimate is within a factor of two of the file (docs/traces.md states its accuracy).
/usr/bin/python3 - "$tmp/t/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
ratio = s["trace_estimate"]["mb"] / s["trace_mb"]
assert 0.5 < ratio < 2, f"estimate/actual = {ratio:.2f}"
assert s["trace_estimate"]["window_cycles"] == 110, s["trace_estimate"]
PY

# Too large: the whole default run (10 images, every signal) is refused before it simulates.
expect_error "above output.trace.max_mb = 200" "$safsim" run "$src/configs/default.yaml" --trace \
  --out "$tmp/big"
grep -qF "output.trace.end_cycle=M" "$tmp/err"
[[ ! -e "$tmp/big/trace.vcd" ]] || { echo "FAIL: a refused trace left trace.vcd"; exit 1; }
# ... and --force traces it all the same (a small limit keeps this test short).
expect_error "above output.trace.max_mb = 0.01" "$safsim" run "$src/configs/default.yaml" \
  --set workload.images=1 --trace --set output.trace.max_mb=0.01 \
  --set output.trace.end_cycle=200 --out "$tmp/small"
"$safsim" run "$src/configs/default.yaml" --set workload.images=1 --trace --force \
  --set output.trace.max_mb=0.01 --set output.trace.end_cycle=200 --out "$tmp/small" >/dev/null
[[ $(grep '^#' "$tmp/small/trace.vcd" | tail -n 1) == "#402000" ]]

# A glob that matches nothing names the closest scope and lists the traced ones.
expect_error "'accelerator.controler' matches no traced signal (did you mean 'accelerator.controller'?)" \
  "$safsim" run "$src/configs/default.yaml" --trace --out "$tmp/typo" \
  --set 'output.trace.scopes=[accelerator.controler]'
grep -qF "accelerator.array, accelerator.array.pe_*_* (256)" "$tmp/err"
expect_error "output.trace: start_cycle 500 is after end_cycle 100" "$safsim" run \
  "$src/configs/default.yaml" --trace --out "$tmp/inverted" \
  --set output.trace.start_cycle=500 --set output.trace.end_cycle=100
echo "trace_files: 1 passed, 0 failed"
