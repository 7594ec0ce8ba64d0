#!/usr/bin/env bash
# scripts/trace_screenshot.py takes its GTKWave picture (about 2 s); skipped (exit 77) without
# gtkwave, Xvfb or Pillow's X11 grab.
# Usage: trace_screenshot.sh SAFSIM SOURCE_DIR
set -euo pipefail
safsim="$1"
src="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

out=$(timeout 60 /usr/bin/python3 "$src/scripts/trace_screenshot.py" "$safsim" "$tmp/shot.png")
echo "$out"
if grep -q "skipped" <<<"$out"; then
  exit 77
fi
# A real window: a 1400x1000 picture with many colours, not a blank screen.
/usr/bin/python3 - "$tmp/shot.png" <<'PY'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
assert im.size == (1400, 1000), im.size
colours = im.getcolors(maxcolors=1 << 20)
assert colours is not None and len(colours) > 50, f"{len(colours or [])} colours"
PY
echo "trace_screenshot: 1 passed, 0 failed"
