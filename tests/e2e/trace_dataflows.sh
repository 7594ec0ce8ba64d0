#!/usr/bin/env bash
# `safsim run --trace` in the os and is dataflows: the PE registers of docs/traces.md are traced
# and named in trace.gtkw (is: input_valid instead of weight_valid; os: no stationary bit).
# Usage: trace_dataflows.sh SAFSIM SOURCE_DIR
set -euo pipefail
safsim="$1"
src="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for d in os is; do
  "$safsim" run "$src/configs/default.yaml" --set workload.images=1 --set accelerator.dataflow=$d \
    --set accelerator.ideal_memory=true --trace --out "$tmp/$d" \
    --set 'output.trace.scopes=[accelerator.clk, accelerator.controller, "accelerator.array.pe_0_*"]' \
    --set output.trace.start_cycle=2000 --set output.trace.end_cycle=3000 >"$tmp/$d.out"
  grep -q '"dataflow": "'$d'"' "$tmp/$d/summary.json"
  for sig in array.pe_0_0.weight array.pe_0_0.input array.pe_0_3.psum array.pe_0_3.valid; do
    grep -q "^SystemC\.accelerator\.$sig" "$tmp/$d/trace.gtkw" || { echo "FAIL: $d: $sig not in trace.gtkw"; exit 1; }
  done
  # Registers change inside the window: the psums of row 0 change hundreds of times.
  ids=$(grep -E '^\$var .* psum ' "$tmp/$d/trace.vcd" | awk '{print $4}' | paste -sd'|')
  [[ -n "$ids" ]] || { echo "FAIL: $d: no psum in the VCD"; exit 1; }
  changes=$(grep -cE "^b[01]+ ($ids)\$" "$tmp/$d/trace.vcd" || true)
  (( changes > 200 )) || { echo "FAIL: $d: row 0's psums changed $changes times"; exit 1; }
done
grep -q "^SystemC\.accelerator\.array\.pe_0_0\.input_valid" "$tmp/is/trace.gtkw"
if grep -qE "pe_0_0\.(weight|input)_valid" "$tmp/os/trace.gtkw"; then
  echo "FAIL: os traces a stationary bit"
  exit 1
fi
echo "trace_dataflows: ok"
