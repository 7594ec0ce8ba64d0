#!/usr/bin/env bash
# safsim's functional engine against PyTorch fp32 eager, back to back in one run, as ratios
# (docs/performance.md): `safsim bench` and `safsim eval` end to end (process start to exit,
# all 10,000 test images) for each model, then workloads/train/bench_torch.py at its best batch
# size. Needs the build (scripts/build.sh) and python3-torch (scripts/setup.sh).
#   scripts/bench_vs_pytorch.sh [build/safsim] [model ...]      (default: lenet5 resnet20)
set -euo pipefail
cd "$(dirname "$0")/.."
safsim=${1:-build/safsim}
shift || true
models=("$@")
if ((${#models[@]} == 0)); then
  models=(lenet5 resnet20)
fi
python=/usr/bin/python3
if ! "$python" -c "import torch" 2>/dev/null; then
  echo "bench_vs_pytorch: python3-torch is missing (scripts/setup.sh installs it)" >&2
  exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
json_field() { "$python" -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

printf '%-10s %14s %14s %16s %14s %10s %10s\n' model bench_img/s eval_e2e_img/s eval_e2e_s \
  torch_img/s bench/torch eval/torch
for m in "${models[@]}"; do
  bench=$("$safsim" bench --set workload.model="$m" --repeat 3)
  start=$(date +%s.%N)
  "$safsim" eval --set workload.model="$m" --set workload.images=0 --out "$tmp/$m" >/dev/null 2>&1
  end=$(date +%s.%N)
  torch=$("$python" workloads/train/bench_torch.py --model "$m")
  b=$(json_field "$bench" images_per_s)
  t=$(json_field "$torch" images_per_s)
  e=$("$python" -c "print($end - $start)")
  "$python" - "$m" "$b" "$e" "$t" <<'EOF'
import sys
m, b, e, t = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
print(f"{m:<10} {b:14.0f} {10000 / e:14.0f} {e:16.3f} {t:14.0f} {b / t:9.2f}x {10000 / e / t:9.2f}x")
EOF
  echo "  safsim: $bench"
  echo "  torch:  $torch"
done
