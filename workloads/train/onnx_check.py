#!/usr/bin/python3
"""Check a zoo ONNX file independently of PyTorch: list its ops, verify they are in
the op subset supported by safsim, and run the graph with a small numpy reference
interpreter (no onnxruntime needed) on Fashion-MNIST test images.

    /usr/bin/python3 workloads/train/onnx_check.py workloads/zoo/lenet5.onnx [--n 10000]

Needs the `onnx` python module (Debian: apt-get install python3-onnx).
Prints one JSON line: file, ops, n_nodes, bn_nodes, accuracy of the numpy run,
and the max |logit| difference against the eager PyTorch model (models.from_onnx).
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion_mnist  # noqa: E402

ALLOWED_OPS = {"Conv", "Gemm", "MatMul", "Add", "Relu", "Sigmoid", "MaxPool",
               "AveragePool", "GlobalAveragePool", "Flatten", "Reshape",
               "BatchNormalization", "Constant", "Identity"}


def _attrs(node):
    import onnx
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _windows(x, kh, kw, sh, sw, pads, pad_value=0.0):
    """x [N,C,H,W] -> strided view [N,C,OH,OW,kh,kw] after padding (pads = t,l,b,r)."""
    t, l, b, r = pads
    if any(pads):
        x = np.pad(x, ((0, 0), (0, 0), (t, b), (l, r)), constant_values=pad_value)
    n, c, h, w = x.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    s = x.strides
    return np.lib.stride_tricks.as_strided(
        x, (n, c, oh, ow, kh, kw), (s[0], s[1], s[2] * sh, s[3] * sw, s[2], s[3]), writeable=False)


def _pads(a, k):
    p = list(a.get("pads", [0] * (2 * k)))
    # ONNX pads = [x1_begin, x2_begin, x1_end, x2_end] -> (t, l, b, r)
    assert a.get("auto_pad", b"NOTSET") in (b"NOTSET", "NOTSET"), "auto_pad not supported"
    return p[0], p[1], p[2], p[3]


def run(model, x):
    from onnx import numpy_helper
    g = model.graph
    env = {t.name: numpy_helper.to_array(t).astype(np.float32) if numpy_helper.to_array(t).dtype.kind == "f"
           else numpy_helper.to_array(t) for t in g.initializer}
    env[g.input[0].name] = x
    for n in g.node:
        a = _attrs(n)
        i = [env[name] if name else None for name in n.input]
        op = n.op_type
        if op == "Conv":
            w = i[1]
            assert a.get("group", 1) == 1 and tuple(a.get("dilations", [1, 1])) == (1, 1)
            st = a.get("strides", [1, 1])
            win = _windows(i[0], w.shape[2], w.shape[3], st[0], st[1], _pads(a, 2))
            y = np.einsum("ncyxij,ocij->noyx", win, w, optimize=True)
            if len(i) > 2 and i[2] is not None:
                y = y + i[2][None, :, None, None]
        elif op == "Gemm":
            A, B = i[0], i[1]
            if a.get("transA", 0):
                A = A.T
            if a.get("transB", 0):
                B = B.T
            y = a.get("alpha", 1.0) * (A @ B)
            if len(i) > 2 and i[2] is not None:
                y = y + a.get("beta", 1.0) * i[2]
        elif op == "MatMul":
            y = i[0] @ i[1]
        elif op == "Add":
            y = i[0] + i[1]
        elif op == "Relu":
            y = np.maximum(i[0], 0)
        elif op == "Sigmoid":
            y = 1.0 / (1.0 + np.exp(-i[0]))
        elif op in ("MaxPool", "AveragePool"):
            k, st = a["kernel_shape"], a.get("strides", [1, 1])
            assert not a.get("ceil_mode", 0)
            pads = _pads(a, 2)
            if op == "MaxPool":
                y = _windows(i[0], k[0], k[1], st[0], st[1], pads, -np.inf).max(axis=(4, 5))
            else:
                assert not any(pads) or a.get("count_include_pad", 0), "exclusive avg padding unsupported"
                y = _windows(i[0], k[0], k[1], st[0], st[1], pads).mean(axis=(4, 5))
        elif op == "GlobalAveragePool":
            y = i[0].mean(axis=(2, 3), keepdims=True)
        elif op == "Flatten":
            ax = a.get("axis", 1)
            y = i[0].reshape(int(np.prod(i[0].shape[:ax])), -1)
        elif op == "Reshape":
            shape = [d if d != 0 else i[0].shape[k] for k, d in enumerate(i[1].tolist())]
            y = i[0].reshape(shape)
        elif op == "BatchNormalization":
            xx, sc, b, mean, var = i
            eps = a.get("epsilon", 1e-5)
            r = lambda v: v[None, :, None, None]  # noqa: E731
            y = (xx - r(mean)) / np.sqrt(r(var) + eps) * r(sc) + r(b)
        elif op == "Constant":
            y = numpy_helper.to_array(a["value"])
        elif op == "Identity":
            y = i[0]
        else:
            raise NotImplementedError(op)
        env[n.output[0]] = np.ascontiguousarray(y, dtype=y.dtype if y.dtype.kind != "f" else np.float32)
    return env[g.output[0].name]


def main():
    import onnx
    ap = argparse.ArgumentParser()
    ap.add_argument("onnx")
    ap.add_argument("--n", type=int, default=10000, help="number of test images")
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--no-torch", action="store_true", help="skip the comparison with PyTorch")
    args = ap.parse_args()

    model = onnx.load(args.onnx)
    onnx.checker.check_model(model)
    ops = [n.op_type for n in model.graph.node]
    bad = sorted(set(ops) - ALLOWED_OPS)
    images, labels = fashion_mnist.load_split("test")
    x = (images[:args.n].astype(np.float32) / 255.0)[:, None]
    y = labels[:args.n]
    logits = np.concatenate([run(model, x[k:k + args.batch]) for k in range(0, len(x), args.batch)])
    res = {"file": args.onnx, "opset": model.opset_import[0].version, "ops": sorted(set(ops)),
           "n_nodes": len(ops), "bn_nodes": ops.count("BatchNormalization"), "unsupported_ops": bad,
           "images": int(len(x)), "numpy_accuracy": round(float((logits.argmax(1) == y).mean()), 4)}
    if not args.no_torch:
        import torch
        import models
        torch.set_num_threads(2)
        name = os.path.splitext(os.path.basename(args.onnx))[0]
        m = models.from_onnx(name, args.onnx)
        with torch.no_grad():
            tl = torch.cat([m(torch.from_numpy(x[k:k + args.batch])) for k in range(0, len(x), args.batch)]).numpy()
        res["max_abs_diff_vs_torch"] = float(np.abs(tl - logits).max())
        res["torch_accuracy"] = round(float((tl.argmax(1) == y).mean()), 4)
    print(json.dumps(res))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
