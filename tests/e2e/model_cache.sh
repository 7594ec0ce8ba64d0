#!/usr/bin/env bash
# The model cache seen from the CLI: a first eval misses and fills $SAFSIM_CACHE_DIR, a second
# hits and writes the same summary.json but for "model_cache", a damaged entry is rebuilt, `run`
# says it too, and SAFSIM_CACHE_DIR=off writes nothing and says "off".
# Usage: model_cache.sh SAFSIM SOURCE_DIR
set -euo pipefail
safsim="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SAFSIM_CACHE_DIR="$tmp/cache"
args=(--set workload.images=20 --set quant.calibration_images=50)

field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" \
  "$1/summary.json" "$2"; }
# same_but_cache A B: the summaries agree on everything but model_cache and timing.
same_but_cache() {
  python3 - "$1/summary.json" "$2/summary.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for s in (a, b):
    s.pop("model_cache"); s.pop("timing", None)
assert a == b, (a, b)
PY
}
expect() {  # expect DIR WANT
  got=$(field "$1" model_cache)
  [ "$got" = "$2" ] || { echo "FAIL: $1: model_cache $got, expected $2"; exit 1; }
}

"$safsim" eval "${args[@]}" --out "$tmp/miss" >"$tmp/miss.out" 2>/dev/null
expect "$tmp/miss" miss
grep -q "model cache miss" "$tmp/miss.out" || { echo "FAIL: no 'model cache miss'"; exit 1; }
[ "$(ls "$tmp/cache" | wc -l)" = 1 ] || { echo "FAIL: expected one entry"; ls -la "$tmp/cache"; exit 1; }
"$safsim" eval "${args[@]}" --out "$tmp/hit" >"$tmp/hit.out" 2>/dev/null
expect "$tmp/hit" hit
grep -q "model cache hit" "$tmp/hit.out" || { echo "FAIL: no 'model cache hit'"; exit 1; }
same_but_cache "$tmp/miss" "$tmp/hit"

# A damaged entry: ignored, rebuilt, the same results.
entry=$(ls "$tmp/cache"/*)
printf 'garbage' | dd of="$entry" bs=1 seek=100 conv=notrunc status=none
"$safsim" eval "${args[@]}" --out "$tmp/rebuilt" >/dev/null 2>&1
expect "$tmp/rebuilt" miss
same_but_cache "$tmp/miss" "$tmp/rebuilt"
"$safsim" eval "${args[@]}" --out "$tmp/hit2" >/dev/null 2>&1
expect "$tmp/hit2" hit

# run: the same entry; its own line.
"$safsim" run "$2/configs/default.yaml" --set workload.images=1 --set quant.calibration_images=50 \
  --out "$tmp/run" >"$tmp/run.out" 2>/dev/null
expect "$tmp/run" hit
grep -q "model cache     hit" "$tmp/run.out" || { echo "FAIL: run prints no cache line"; cat "$tmp/run.out"; exit 1; }

# off: nothing read, nothing written, nothing printed.
rm -rf "$tmp/cache"
SAFSIM_CACHE_DIR=off "$safsim" eval "${args[@]}" --out "$tmp/off" >"$tmp/off.out" 2>/dev/null
expect "$tmp/off" off
[ ! -e "$tmp/cache" ] || { echo "FAIL: off wrote $tmp/cache"; exit 1; }
! grep -q "model cache" "$tmp/off.out" || { echo "FAIL: off prints a cache note"; exit 1; }
same_but_cache "$tmp/miss" "$tmp/off"
echo "model_cache: OK"
