#!/usr/bin/env python3
"""Cross-checks safsim's backward pass with PyTorch autograd.

Reads the JSON `safsim gradient` writes (the deployed layer graph, real weights, one image's real
activations as the accelerator computed them, and safsim's dL/dw), rebuilds the network with
torch.nn.functional ops in float64, and recomputes dL/dw with autograd under the same
straight-through estimator: every layer's forward value is replaced by the accelerator's value
(out = q + (y - y.detach()) * d), so the forward pass is the integer one and the backward pass
is the real-valued one; d is the activation's derivative taken at q (ReLU: q > 0, Sigmoid:
q (1 - q)), the rule safsim states in sim/engines/backward.h. Conv, pooling, residual add and
flatten are differentiated by autograd, independently of safsim.

Usage: check_grad.py GRAD.json [--rtol 1e-4]
Exit 0 when every layer agrees: ||g_safsim - g_torch|| <= rtol * ||g_torch|| + 1e-9, and the
losses agree to rtol; exit 1 otherwise.
"""
import argparse
import json
import math
import sys

import torch
import torch.nn.functional as F


def pad_of(geom):
    top, left, bottom, right = geom["pad"]
    return (left, right, top, bottom)  # F.pad order for the last two dims


def forward_layer(L, x, srcs, q, dt):
    kind = L["kind"]
    geom = L["geom"]
    kernel, stride = tuple(geom["kernel"]), tuple(geom["stride"])
    w = None
    d = 1.0
    if kind == "array":
        o = L["out_shape"][0]
        c = L["in_shape"][0]
        w = torch.tensor(L["weight"], dtype=dt, requires_grad=True)
        y = F.conv2d(F.pad(x, pad_of(geom)), w.reshape(o, c, *kernel), stride=stride)
        if L["activation"] == "relu":
            d = (q > 0).to(dt)
        elif L["activation"] == "sigmoid":
            d = q * (1 - q)
    elif kind == "max_pool":
        y = F.max_pool2d(F.pad(x, pad_of(geom), value=-math.inf), kernel, stride)
    elif kind == "avg_pool":
        total = F.avg_pool2d(F.pad(x, pad_of(geom)), kernel, stride, divisor_override=1)
        if geom["count_include_pad"]:
            y = total / (kernel[0] * kernel[1])
        else:
            ones = F.pad(torch.ones_like(x), pad_of(geom))
            y = total / F.avg_pool2d(ones, kernel, stride, divisor_override=1)
    elif kind == "global_avg_pool":
        y = x.mean(dim=(2, 3), keepdim=True)
    elif kind == "add":
        y = srcs[0] + srcs[1]
        if L["add_relu"]:
            d = (q > 0).to(dt)
    elif kind == "flatten":
        y = x.reshape(1, -1, 1, 1)
    else:
        raise SystemExit(f"check_grad: unknown layer kind {kind}")
    if tuple(y.shape[1:]) != tuple(q.shape[1:]):
        raise SystemExit(f"check_grad: layer {L['name']}: shape {tuple(y.shape)} vs {tuple(q.shape)}")
    return q + (y - y.detach()) * d, w


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("grad_json")
    ap.add_argument("--rtol", type=float, default=1e-4)
    args = ap.parse_args()
    with open(args.grad_json) as f:
        d = json.load(f)
    dt = torch.float64
    x_in = torch.tensor(d["input"], dtype=dt).reshape(1, *d["input_shape"])
    outs, weights = [], {}
    for i, L in enumerate(d["layers"]):
        q = torch.tensor(L["value"], dtype=dt).reshape(1, *L["out_shape"])
        srcs = [x_in if s < 0 else outs[s] for s in L["inputs"]]
        out, w = forward_layer(L, srcs[0], srcs, q, dt)
        outs.append(out)
        if w is not None:
            weights[i] = w
    logits = outs[-1].reshape(1, -1)
    loss = F.cross_entropy(logits, torch.tensor([d["label"]]))
    loss.backward()
    failed = 0
    if abs(loss.item() - d["loss"]) > args.rtol * max(1.0, abs(loss.item())):
        print(f"loss: torch {loss.item():.8g} safsim {d['loss']:.8g}")
        failed += 1
    for i, w in weights.items():
        L = d["layers"][i]
        g_torch = w.grad
        g_safsim = torch.tensor(L["grad"], dtype=dt)
        err = (g_safsim - g_torch).norm().item()
        ref = g_torch.norm().item()
        ok = err <= args.rtol * ref + 1e-9
        failed += not ok
        print(f"{d['model']} image {d['image']} {L['name']:>16}: |g| {ref:.4e}  "
              f"|diff| {err:.3e}  rel {err / max(ref, 1e-30):.2e}  {'ok' if ok else 'MISMATCH'}")
    if failed:
        print(f"check_grad: {failed} mismatch(es) beyond rtol {args.rtol}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
