#!/usr/bin/python3
"""Train one zoo model on Fashion-MNIST, evaluate it, export it to ONNX.

Usage (from the repository root, with the SYSTEM python that has torch):
    /usr/bin/python3 workloads/train/train.py --model lenet5 --epochs 10 --seed 1 --out workloads/zoo/

Add `--zoo-yaml workloads/zoo/zoo.yaml` to insert/replace the model's entry in
the zoo index. The YAML snippet of the entry is always printed at the end.

Input convention: x = pixel/255.0 (float32 in [0,1]), shape [N,1,28,28],
no mean/std normalization. The exported graph outputs raw logits.
resnet20_c3 takes fmnist32 (make_data.py: 3x32x32, the first 50,000 training images)
normalized per channel, x = (pixel/255 - mean[c]) / std[c], with the mean/std of its
training images (4 decimals); the normalization is not part of the exported graph (it is
the zoo.yaml entry's `normalize`, safsim's `workload.normalize`).
"""
import argparse
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion_mnist  # noqa: E402
import make_data  # noqa: E402
import models  # noqa: E402

# ONNX ops a zoo model may contain. Clip (ReLU6, mobilenet_v2_s) and Concat (on channels,
# squeezenet_s) were added with those two models; they also bring Conv with group > 1
# (depthwise: group = channels) and MaxPool with ceil_mode=1, which use existing op types.
ALLOWED_OPS = {"Conv", "Gemm", "MatMul", "Add", "Relu", "Sigmoid", "MaxPool",
               "AveragePool", "GlobalAveragePool", "Flatten", "Reshape",
               "BatchNormalization", "Constant", "Identity", "Clip", "Concat"}

EPOCHS_C3 = 8  # 165 s (idle machine) to 270 s (beside a C++ build) per epoch with 1 thread

# Per-model default hyper-parameters (any of them can be overridden on the CLI).
# memory_format (default "contiguous") is the layout of the weights and activations during
# training only: channels_last makes the depthwise convolutions of mobilenet_v2_s several times
# faster on the CPU; the model is converted back to contiguous before saving and exporting.
DEFAULTS = {
    "lenet5":           dict(epochs=20, opt="adam", lr=1e-3, wd=0.0, batch=128, sched="cosine", augment="none"),
    "lenet5_sigmoid":   dict(epochs=20, opt="adam", lr=2e-3, wd=0.0, batch=128, sched="cosine", augment="none"),
    "lenet5_avgpool":   dict(epochs=20, opt="adam", lr=1e-3, wd=0.0, batch=128, sched="cosine", augment="none"),
    "cnn_s002":         dict(epochs=10, opt="adam", lr=2e-3, wd=0.0, batch=128, sched="cosine", augment="none"),
    "cnn_s002_archopt": dict(epochs=10, opt="adam", lr=2e-3, wd=0.0, batch=128, sched="cosine", augment="none"),
    "resnet20":         dict(epochs=15, opt="sgd", lr=0.2, wd=5e-4, batch=128, sched="onecycle", augment="crop_flip"),
    "resnet20_c3":      dict(epochs=EPOCHS_C3, opt="sgd", lr=0.2, wd=5e-4, batch=128, sched="onecycle",
                             augment="crop_flip_edge"),
    "mobilenet_v2_s":   dict(epochs=10, opt="adam", lr=2e-3, wd=0.0, batch=128, sched="cosine", augment="none",
                             memory_format="channels_last"),
    "squeezenet_s":     dict(epochs=12, opt="adam", lr=1e-3, wd=0.0, batch=128, sched="cosine", augment="none"),
}


def set_seed(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    try:
        torch.use_deterministic_algorithms(True)
    except Exception as e:  # pragma: no cover
        print("warning: deterministic algorithms unavailable:", e)


def augment_crop_flip(x, gen, pad=2, mode="constant"):
    """Random crop (pad `pad`: zeros, or mode "replicate": the edge pixels, torchvision's
    padding_mode="edge") + horizontal flip, per sample, torch ops only; any H x W."""
    n, c, h, w = x.shape
    xp = F.pad(x, (pad, pad, pad, pad), mode=mode)
    dy = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
    dx = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
    flip = torch.rand(n, generator=gen) < 0.5
    rows = dy[:, None] + torch.arange(h)[None, :]                      # [n,h]
    cols = dx[:, None] + torch.arange(w)[None, :]                      # [n,w]
    cols = torch.where(flip[:, None], cols.flip(1), cols)              # flip = reversed columns
    bidx = torch.arange(n)[:, None, None]
    out = xp[bidx, :, rows[:, :, None], cols[:, None, :]]              # [n,h,w,c]
    return out.permute(0, 3, 1, 2).contiguous()


@torch.no_grad()
def evaluate(model, x, y, batch=1000, memory_format=torch.contiguous_format):
    model.eval()
    correct = 0
    for i in range(0, x.shape[0], batch):
        xb = x[i:i + batch].contiguous(memory_format=memory_format)
        correct += (model(xb).argmax(1) == y[i:i + batch]).sum().item()
    return correct / x.shape[0]


def onnx_layer_info(path):
    """(op_types in graph order, op set, weights per Conv/Gemm/MatMul node, #BN nodes)."""
    import onnx
    from onnx import numpy_helper
    m = onnx.load(path)
    inits = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    ops = [n.op_type for n in m.graph.node]
    wpl = []
    for n in m.graph.node:
        if n.op_type in ("Conv", "Gemm", "MatMul"):
            w = inits.get(n.input[1])
            if w is not None:
                wpl.append(int(w.size))
    return ops, sorted(set(ops)), wpl, ops.count("BatchNormalization")


def load_data(name, root):
    """(x_train, y_train, x_test, y_test, normalize) of model `name`'s dataset as float32
    NCHW tensors / int64 labels. fashion-mnist: pixel/255, normalize None. fmnist32:
    (pixel/255 - mean[c]) / std[c] with the 4-decimal stats of the training images,
    normalize = {"mean": [...], "std": [...]}."""
    if models.dataset(name) == "fashion-mnist":
        xtr, ytr = fashion_mnist.load_tensors("train", root)
        xte, yte = fashion_mnist.load_tensors("test", root)
        return xtr, ytr, xte, yte, None
    assert models.dataset(name) == "fmnist32", name
    xtr, ytr = make_data.load_fmnist32("train", root)
    xte, yte = make_data.load_fmnist32("test", root)
    mean, std = make_data.normalize_constants(xtr)
    out = [torch.from_numpy(make_data.normalize(xtr, mean, std)), torch.from_numpy(ytr),
           torch.from_numpy(make_data.normalize(xte, mean, std)), torch.from_numpy(yte)]
    return out + [{"mean": mean, "std": std}]


def export_onnx(model, path, shape=(1, 28, 28)):
    model.eval()
    dummy = torch.zeros(1, *shape)
    torch.onnx.export(model, dummy, path, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})


def yaml_entry(d):
    """Hand-formatted YAML entry (keeps key order, flow-style lists)."""
    def fmt(v):
        if isinstance(v, dict):
            return "{" + ", ".join("%s: %s" % (k, fmt(e)) for k, e in v.items()) + "}"
        if isinstance(v, list):
            return "[" + ", ".join(fmt(e) for e in v) + "]"
        if isinstance(v, float):
            return repr(v)
        if isinstance(v, (int,)):
            return str(v)
        s = str(v)
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    lines = []
    for i, (k, v) in enumerate(d.items()):
        lines.append(("  - " if i == 0 else "    ") + "%s: %s" % (k, fmt(v)))
    return "\n".join(lines) + "\n"


ZOO_HEADER = """\
# safsim model zoo index (generated by workloads/train/train.py --zoo-yaml).
#
# Format: a top-level `models` list, one entry per ONNX model in this folder:
#   name                : model id (also the ONNX file stem)
#   file                : ONNX file, relative to this folder (opset 13, input 'input'
#                         [batch,C,H,W] float32, output 'logits' [batch,10] raw logits)
#   description         : architecture and the paper/section it comes from
#   input_shape         : [C, H, W] of one image ([1, 28, 28] unless said otherwise)
#   input_scale         : input convention: x = uint8 pixel * (1/255), no mean/std normalization
#                         (entries with `normalize`: x = (pixel/255 - mean[c]) / std[c])
#   normalize           : only for models that take normalized input: per-channel mean and
#                         std of pixel/255 (torchvision Normalize), safsim's workload.normalize;
#                         the normalization is not in the ONNX graph
#   dataset             : only when not Fashion-MNIST 1x28x28: the dataset trained and
#                         tested on (fmnist32: 3x32x32, written by workloads/train/make_data.py)
#   classes             : number of output classes (Fashion-MNIST)
#   fp32_test_accuracy  : top-1 accuracy (fraction) of the fp32 PyTorch model on the
#                         10,000 Fashion-MNIST test images (of its `dataset`)
#   weights_per_layer   : weight count (no bias) of each Conv/Gemm node, in ONNX graph order
#                         (for resnet20 BN is folded into the conv weights by the exporter)
#   total_weights       : sum of weights_per_layer
#   onnx_ops            : set of ONNX op types present in the exported graph
#   onnx_bn_nodes       : number of BatchNormalization nodes in the graph (0: BN folded into Conv)
#   train_command       : exact command (run from the repo root) that reproduces the model
#   seed, epochs        : training seed and number of epochs
#   weights_from        : "trained", or the zoo file whose weights were copied unchanged
#                         (cnn_s002_archopt reuses cnn_s002's weights: same fp32 function)
#   hyperparameters     : training recipe (defaults of train.py, see workloads/train/README.md)
#   train_time_s        : training wall time (2 CPU threads unless train_command says
#                         --threads), informative only
#   torch_version       : PyTorch version used for training and export
"""


def update_zoo_yaml(path, name, entry_text):
    blocks = {}
    if os.path.exists(path):
        cur = None
        for line in open(path):
            if line.startswith("  - name: "):
                cur = line.split(":", 1)[1].strip().strip('"')
                blocks[cur] = line
            elif cur is not None and line.startswith("    "):
                blocks[cur] += line
    blocks[name] = entry_text
    order = [n for n in models.MODELS if n in blocks] + sorted(n for n in blocks if n not in models.MODELS)
    with open(path, "w") as f:
        f.write(ZOO_HEADER + "models:\n")
        for n in order:
            f.write(blocks[n])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, choices=list(models.MODELS))
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="workloads/zoo/", help="output folder for <model>.onnx")
    ap.add_argument("--opt", choices=["adam", "sgd"])
    ap.add_argument("--lr", type=float, help="(peak) learning rate")
    ap.add_argument("--wd", type=float, help="weight decay")
    ap.add_argument("--batch", type=int)
    ap.add_argument("--sched", choices=["cosine", "onecycle"])
    ap.add_argument("--augment", choices=["none", "crop_flip", "crop_flip_edge"],
                    help="crop_flip: random crop (zero pad 2) + horizontal flip; crop_flip_edge: "
                         "the same with edge-replicating padding")
    ap.add_argument("--memory-format", dest="memory_format", choices=["contiguous", "channels_last"],
                    help="tensor layout during training (the exported model is the same)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", default=fashion_mnist.DEFAULT_ROOT)
    ap.add_argument("--zoo-yaml", default=None, help="insert/replace the entry in this zoo.yaml")
    ap.add_argument("--ckpt", default=None,
                    help="state_dict checkpoint written after training "
                         "(default /tmp/safsim_zoo_<model>_seed<seed>.pt)")
    ap.add_argument("--from-ckpt", default=None,
                    help="skip training: load this checkpoint, evaluate and export")
    ap.add_argument("--weights-from-onnx", default=None,
                    help="skip training: take the weights of another zoo ONNX file with the same "
                         "weight layout (used for cnn_s002_archopt <- cnn_s002.onnx)")
    ap.add_argument("--time-batches", type=int, default=0,
                    help="only time this many training batches, print the epoch estimate and exit")
    args = ap.parse_args()

    cfg = dict(DEFAULTS[args.model])
    cfg.setdefault("memory_format", "contiguous")
    for k in ("epochs", "opt", "lr", "wd", "batch", "sched", "augment", "memory_format"):
        if getattr(args, k) is not None:
            cfg[k] = getattr(args, k)

    torch.set_num_threads(args.threads)
    set_seed(args.seed)

    xtr, ytr, xte, yte, norm = load_data(args.model, args.data)
    shape = models.input_shape(args.model)
    assert tuple(xtr.shape[1:]) == shape, (xtr.shape, shape)
    n = xtr.shape[0]

    model = models.build(args.model)
    wpl = models.weights_per_layer(model)
    if args.model.startswith("lenet5"):
        counts = [c for _, c in wpl]
        assert counts == [500, 25000, 96000, 10080, 840], counts
    channels_last = cfg["memory_format"] == "channels_last"
    if channels_last:
        model = model.to(memory_format=torch.channels_last)

    if cfg["opt"] == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"], weight_decay=cfg["wd"])
    else:
        # no weight decay on BN parameters and biases
        decay = [p for p in model.parameters() if p.dim() > 1]
        no_decay = [p for p in model.parameters() if p.dim() <= 1]
        opt = torch.optim.SGD([{"params": decay, "weight_decay": cfg["wd"]},
                               {"params": no_decay, "weight_decay": 0.0}],
                              lr=cfg["lr"], momentum=0.9, nesterov=True)
    steps_per_epoch = math.ceil(n / cfg["batch"])
    total_steps = cfg["epochs"] * steps_per_epoch
    if cfg["sched"] == "onecycle":
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg["lr"], total_steps=total_steps,
                                                    pct_start=0.25, div_factor=10.0,
                                                    final_div_factor=1000.0)
    else:
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: 0.5 * (1.0 + math.cos(math.pi * min(s, total_steps) / total_steps)))

    gen = torch.Generator()
    gen.manual_seed(args.seed)

    print("model=%s cfg=%s seed=%d threads=%d torch=%s" % (args.model, cfg, args.seed, args.threads,
                                                           torch.__version__), flush=True)
    print("data: %s train %s test %s%s" % (models.dataset(args.model), tuple(xtr.shape), tuple(xte.shape),
                                           " normalize %s" % norm if norm else ""), flush=True)
    ckpt_path = args.ckpt or "/tmp/safsim_zoo_%s_seed%d.pt" % (args.model, args.seed)
    if args.from_ckpt:
        ck = torch.load(args.from_ckpt)
        model.load_state_dict(ck["state_dict"])
        train_time = ck.get("train_time_s", float("nan"))
        assert ck.get("epochs", cfg["epochs"]) == cfg["epochs"], (ck.get("epochs"), cfg["epochs"])
        print("loaded %s (trained %s epochs, %.1fs)" % (args.from_ckpt, ck.get("epochs"), train_time))
    if args.weights_from_onnx:
        assert not args.from_ckpt
        assert not any(isinstance(x, nn.BatchNorm2d) for x in model.modules())
        model = models.load_onnx_weights(model, args.weights_from_onnx)
        cfg["epochs"] = 0
        train_time = 0.0
        print("weights taken from", args.weights_from_onnx)
    t_start = time.time()
    for epoch in range(0 if (args.from_ckpt or args.weights_from_onnx) else cfg["epochs"]):
        model.train()
        perm = torch.randperm(n, generator=gen)
        t_ep = time.time()
        loss_sum, correct, seen = 0.0, 0, 0
        for bi, i in enumerate(range(0, n, cfg["batch"])):
            idx = perm[i:i + cfg["batch"]]
            xb, yb = xtr[idx], ytr[idx]
            if cfg["augment"] == "crop_flip":
                xb = augment_crop_flip(xb, gen)
            elif cfg["augment"] == "crop_flip_edge":
                xb = augment_crop_flip(xb, gen, mode="replicate")
            if channels_last:
                xb = xb.contiguous(memory_format=torch.channels_last)
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * xb.shape[0]
            correct += (logits.argmax(1) == yb).sum().item()
            seen += xb.shape[0]
            if args.time_batches and bi + 1 == args.time_batches:
                dt = time.time() - t_ep
                print("timed %d batches in %.1fs -> estimated %.1fs/epoch (%d batches)"
                      % (bi + 1, dt, dt / (bi + 1) * steps_per_epoch, steps_per_epoch), flush=True)
                return
        t_train_ep = time.time() - t_ep
        acc = evaluate(model, xte, yte, memory_format=(torch.channels_last if channels_last
                                                       else torch.contiguous_format))
        print("epoch %d/%d loss %.4f train_acc %.4f test_acc %.4f lr %.5f time %.1fs (total %.1fs)"
              % (epoch + 1, cfg["epochs"], loss_sum / seen, correct / seen, acc,
                 opt.param_groups[0]["lr"], t_train_ep, time.time() - t_start), flush=True)
    model = model.to(memory_format=torch.contiguous_format)
    if not (args.from_ckpt or args.weights_from_onnx):
        train_time = time.time() - t_start
        os.makedirs(os.path.dirname(os.path.abspath(ckpt_path)), exist_ok=True)
        torch.save({"state_dict": model.state_dict(), "model": args.model, "seed": args.seed,
                    "epochs": cfg["epochs"], "cfg": cfg, "train_time_s": train_time,
                    "torch_version": torch.__version__}, ckpt_path)
        print("checkpoint:", ckpt_path)

    model.eval()
    acc = evaluate(model, xte, yte)
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, args.model + ".onnx")
    export_onnx(model, onnx_path, shape)
    ops, opset, onnx_wpl, n_bn = onnx_layer_info(onnx_path)
    problems = []
    bad = set(opset) - ALLOWED_OPS
    if bad:
        problems.append("exported graph uses unsupported ops: %s" % sorted(bad))
    if sum(onnx_wpl) != sum(c for _, c in wpl) or len(onnx_wpl) != len(wpl):
        problems.append("ONNX Conv/Gemm weights %s != PyTorch %s" % (onnx_wpl, [c for _, c in wpl]))
    if args.model.startswith("lenet5") and onnx_wpl != [500, 25000, 96000, 10080, 840]:
        problems.append("LeNet-5 weight counts %s" % onnx_wpl)

    # final sanity: re-run the fp32 model; the accuracy printed below is the PyTorch model's
    print("final fp32 test accuracy: %.4f (%d/%d)" % (acc, round(acc * xte.shape[0]), xte.shape[0]))
    print("onnx: %s ops=%s bn_nodes=%d weights_per_layer=%s" % (onnx_path, opset, n_bn, onnx_wpl))

    cmd = ("/usr/bin/python3 workloads/train/train.py --model %s --epochs %d --seed %d --out workloads/zoo/"
           % (args.model, cfg["epochs"], args.seed))
    if args.weights_from_onnx:
        cmd = ("/usr/bin/python3 workloads/train/train.py --model %s --weights-from-onnx %s --out workloads/zoo/"
               % (args.model, args.weights_from_onnx))
    for k in ("opt", "lr", "wd", "batch", "sched", "augment", "memory_format"):
        if getattr(args, k) is not None and getattr(args, k) != DEFAULTS[args.model].get(k, "contiguous"):
            cmd += " --%s %s" % (k.replace("_", "-"), getattr(args, k))
    if args.threads != 2:
        cmd += " --threads %d" % args.threads
    if args.zoo_yaml:
        cmd += " --zoo-yaml %s" % args.zoo_yaml
    entry = dict(
        name=args.model,
        file=args.model + ".onnx",
        description=models.DESCRIPTIONS[args.model],
        input_shape=list(shape),
        input_scale="1/255: x = uint8 pixel / 255.0 in [0,1], no mean/std normalization",
    )
    if norm:
        entry["input_scale"] = ("per-channel normalization: x = (uint8 pixel / 255.0 - mean[c]) / std[c] "
                                "(torchvision Normalize, mean/std of the training images; not in the "
                                "ONNX graph: safsim's workload.normalize = `normalize`)")
        entry["normalize"] = norm
    if models.dataset(args.model) == "fmnist32":
        entry["dataset"] = "fmnist32 (workloads/train/make_data.py)"
    entry.update(
        classes=10,
        fp32_test_accuracy=round(acc, 4),
        weights_per_layer=onnx_wpl,
        total_weights=int(sum(onnx_wpl)),
        onnx_ops=opset,
        onnx_bn_nodes=n_bn,
        train_command=cmd,
        seed=args.seed,
        epochs=cfg["epochs"],
        weights_from=(os.path.basename(args.weights_from_onnx) + " (no training: identical weights)"
                      if args.weights_from_onnx else "trained"),
        hyperparameters=("n/a (not trained)" if args.weights_from_onnx else
                         "opt=%s lr=%g wd=%g batch=%d sched=%s augment=%s" % (
                             cfg["opt"], cfg["lr"], cfg["wd"], cfg["batch"], cfg["sched"], cfg["augment"])
                         + ("" if cfg["memory_format"] == "contiguous"
                            else " memory_format=%s" % cfg["memory_format"])),
        train_time_s=round(train_time, 1),
        torch_version=torch.__version__,
    )
    text = yaml_entry(entry)
    print("---- zoo.yaml entry ----")
    print(text, end="")
    if problems:
        print("ERROR: " + "; ".join(problems) + " (zoo.yaml not updated; retry with --from-ckpt %s)"
              % (args.from_ckpt or ckpt_path))
        sys.exit(1)
    if args.zoo_yaml:
        update_zoo_yaml(args.zoo_yaml, args.model, text)
        print("updated", args.zoo_yaml)


if __name__ == "__main__":
    main()
