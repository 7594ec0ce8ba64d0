#!/usr/bin/env bash
# `safsim onnx-check` on ONNX's own node tests: exit 0 on a match, 1 on a mismatch with the worst
# element named, 2 for a model or tensor that is invalid or unsupported; then the conformance
# harness fails on a numerical mismatch, on an unlisted unsupported test and on a listed test
# that passes. Skipped (77) without libonnx-testdata; the harness part also needs python3-onnx.
# Usage: onnx_check.sh SAFSIM SOURCE_DIR
set -euo pipefail
safsim="$1"
src="$2"
node=/usr/share/libonnx-testdata/data/node
if [[ ! -d "$node/test_conv_with_strides_padding" ]]; then
  echo "SKIP: no ONNX node tests in $node (apt-get install libonnx-testdata)"; exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$src/tests/e2e/lib/expect_error.sh"

# expect_mismatch "message part" command...: exit code 1 and the message part on stdout.
expect_mismatch() {
  local want="$1"
  shift
  set +e
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  set -e
  if [[ $rc -ne 1 ]]; then
    echo "FAIL: exit code $rc (want 1): $*"; cat "$tmp/out" "$tmp/err"; exit 1
  fi
  grep -qF -- "$want" "$tmp/out" || { echo "FAIL: stdout lacks '$want': $*"; cat "$tmp/out"; exit 1; }
}

conv=$node/test_conv_with_strides_padding
set0=$conv/test_data_set_0

# The op list, one per line, and the help.
"$safsim" onnx-check --list-ops >"$tmp/ops"
grep -qx Conv "$tmp/ops" && grep -qx Gemm "$tmp/ops" || { echo "FAIL: --list-ops"; exit 1; }
"$safsim" onnx-check --help >"$tmp/help"
grep -q "Exit codes" "$tmp/help" || { echo "FAIL: --help"; exit 1; }

# 0: the test's own expected output; Conv's W comes from input_1.pb. Gemm's 2-D input of batch 3.
"$safsim" onnx-check "$conv/model.onnx" --inputs "$set0"/input_0.pb "$set0"/input_1.pb \
  --expect "$set0/output_0.pb" >"$tmp/conv.log"
grep -q "ok: 1 output(s), 12 elements (batch 1)" "$tmp/conv.log" || { cat "$tmp/conv.log"; exit 1; }
gemm=$node/test_gemm_default_zero_bias/test_data_set_0
"$safsim" onnx-check "$node/test_gemm_default_zero_bias/model.onnx" \
  --inputs "$gemm"/input_*.pb --expect "$gemm/output_0.pb" >"$tmp/gemm.log"
grep -q "elements (batch 3)" "$tmp/gemm.log" || { cat "$tmp/gemm.log"; exit 1; }

# 1: the last expected value (raw_data ends the file) moved by 0.5; a wide --atol accepts it.
python3 - "$set0/output_0.pb" "$tmp/off.pb" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
b[-4:] = struct.pack("<f", struct.unpack("<f", b[-4:])[0] + 0.5)
open(sys.argv[2], "wb").write(b)
PY
expect_mismatch "worst: y[0, 0, 3, 2]: got 124, expected 124.5, abs error 0.5" \
  "$safsim" onnx-check "$conv/model.onnx" --inputs "$set0"/input_*.pb --expect "$tmp/off.pb"
"$safsim" onnx-check "$conv/model.onnx" --inputs "$set0"/input_*.pb --expect "$tmp/off.pb" \
  --atol 1 >/dev/null

# 2: an unsupported attribute names the node and op.
ceil=$node/test_maxpool_2d_dilations
expect_error "node 'MaxPool_0' (op MaxPool): attribute dilations = [2, 2] is not supported" \
  "$safsim" onnx-check "$ceil/model.onnx" --inputs "$ceil/test_data_set_0/input_0.pb" \
  --expect "$ceil/test_data_set_0/output_0.pb"
# 2: a truncated tensor file, a missing one, a directory.
head -c 40 "$set0/input_0.pb" >"$tmp/cut.pb"
expect_error "$tmp/cut.pb: not an ONNX TensorProto" \
  "$safsim" onnx-check "$conv/model.onnx" --inputs "$tmp/cut.pb" "$set0/input_1.pb" \
  --expect "$set0/output_0.pb"
expect_error "$tmp/none.pb: cannot open tensor file: No such file or directory" \
  "$safsim" onnx-check "$conv/model.onnx" --inputs "$tmp/none.pb" --expect "$set0/output_0.pb"
expect_error "cannot open tensor file: is a directory" \
  "$safsim" onnx-check "$conv/model.onnx" --inputs "$tmp" --expect "$set0/output_0.pb"
# 2: a header claiming 2^40 x 2^40 floats is refused before anything is allocated.
python3 - "$tmp/huge.pb" <<'PY'
import sys
def varint(v):
    out = bytearray()
    while True:
        out.append((v & 0x7F) | (0x80 if v > 0x7F else 0))
        v >>= 7
        if not v:
            return bytes(out)
dims = b"".join(b"\x08" + varint(1 << 40) for _ in range(2))
open(sys.argv[1], "wb").write(dims + b"\x10\x01" + b"\x42\x01x")  # dims, FLOAT, name "x"
PY
expect_error "$tmp/huge.pb: tensor 'x' has an implausible shape [1099511627776, 1099511627776]" \
  "$safsim" onnx-check "$conv/model.onnx" --inputs "$tmp/huge.pb" "$set0/input_1.pb" \
  --expect "$set0/output_0.pb"
# 2: an input of another shape than the model's, a data type that is not read, a missing W.
pool=$node/test_maxpool_2d_default
expect_error "tensor 'x' has shape [1, 1, 7, 5]; the model's input 'x' takes [N, 3, 32, 32]" \
  "$safsim" onnx-check "$pool/model.onnx" --inputs "$set0/input_0.pb" \
  --expect "$pool/test_data_set_0/output_0.pb"
u8=$node/test_maxpool_2d_uint8/test_data_set_0
expect_error "tensor 'x' of shape [1, 1, 5, 5] has data type UINT8" \
  "$safsim" onnx-check "$node/test_maxpool_2d_uint8/model.onnx" --inputs "$u8/input_0.pb" \
  --expect "$u8/output_0.pb"
expect_error "no --inputs tensor for graph input 'W'" \
  "$safsim" onnx-check "$conv/model.onnx" --inputs "$set0/input_0.pb" --expect "$set0/output_0.pb"
expect_error "onnx-check needs MODEL.onnx, --inputs and --expect" "$safsim" onnx-check
expect_error "cannot open ONNX model" \
  "$safsim" onnx-check "$tmp/none.onnx" --inputs "$set0/input_0.pb" --expect "$set0/output_0.pb"

# The harness on a copy of three tests: a mismatch, an unlisted refusal and a listed test that
# passes are each a problem, and the exit code is 1.
if /usr/bin/python3 -c "import onnx" 2>/dev/null; then
  mkdir "$tmp/node"
  cp -r "$conv" "$tmp/node/test_conv_off"
  cp "$tmp/off.pb" "$tmp/node/test_conv_off/test_data_set_0/output_0.pb"
  cp -r "$ceil" "$pool" "$tmp/node/"
  echo "test_maxpool_2d_default  listed on purpose" >"$tmp/unsupported.txt"
  set +e
  /usr/bin/python3 "$src/scripts/onnx_conformance.py" "$safsim" --data "$tmp/node" \
    --expected "$tmp/unsupported.txt" --report "$tmp/report.md" >"$tmp/harness.log"
  rc=$?
  set -e
  [[ $rc -eq 1 ]] || { echo "FAIL: harness exit code $rc (want 1)"; cat "$tmp/harness.log"; exit 1; }
  for want in "PROBLEM: test_conv_off: numerical failure" \
    "PROBLEM: test_maxpool_2d_dilations: unsupported but not listed" \
    "PROBLEM: test_maxpool_2d_default: passes now" "tests run (ops supported, 4-D or 2-D tensors): 3"; do
    grep -qF "$want" "$tmp/report.md" || { echo "FAIL: report lacks '$want'"; cat "$tmp/report.md"; exit 1; }
  done
else
  echo "note: /usr/bin/python3 has no onnx module; the harness part is skipped"
fi
echo "onnx_check: ok"
