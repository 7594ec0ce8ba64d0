#!/usr/bin/python3
"""Feature resilience optimization of paper 002 (Algorithm 1, Eq. 6) with safsim computing eta.

Usage (from the repository root, system python with torch, safsim built in build/):
    nice -n 10 /usr/bin/python3 workloads/train/featopt.py --base cnn_s002_archopt \
        --iterations 3 --finetune-epochs 1 --seed 1 --name cnn_s002_featopt \
        --out workloads/zoo/ --zoo-yaml workloads/zoo/zoo.yaml --log docs/figures/repro/002_featopt.csv

Algorithm 1 of 002, for t = 0 .. T-1:
  1. export the current model to ONNX; `safsim analyze criticality` imports it, quantizes it
     (8-bit, as deployed) and writes criticality.csv: eta_c of every feature map c of every
     stored tensor (002 Eq. 2-5) and the Eq. 6 factor eq6_scale = mean(eta) / eta_c;
  2. scale the weights of every consumer layer reading feature c by eq6_scale (002 Eq. 6);
     the adjusted model is measured: fp32 test accuracy (PyTorch), int8 accuracy (`safsim
     eval`), and the mean SD of the normalized criticality (`safsim analyze criticality`,
     002 Fig. 5b);
  3. if t < T-1: fine-tune (Adam, constant learning rate) on the training set.
No fine-tuning follows the last adjustment. The file interface is criticality.csv (columns
layer,name,consumers,feature,eta,eta_normalized,eq6_scale; consumers are the ONNX node names of
the Conv/Gemm nodes that read the tensor, joined by ';'), see docs/resilience.md.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion_mnist  # noqa: E402
import models  # noqa: E402
import train  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def safsim(args, *cmd):
    full = [args.safsim] + list(cmd)
    subprocess.run(full, check=True, stdout=subprocess.DEVNULL)


def criticality(args, onnx_path, out):
    safsim(args, "analyze", "criticality", args.config, "--set", "workload.model=" + onnx_path,
           "--set", "analysis.relevance_images=%d" % args.relevance_images, "--no-plot",
           "--out", out)
    with open(os.path.join(out, "criticality.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(out, "summary.json")) as f:
        sd = json.load(f)["mean_sd_normalized_criticality"]
    return rows, sd


def int8_accuracy(args, onnx_path, out):
    safsim(args, "eval", args.config, "--set", "workload.model=" + onnx_path,
           "--set", "workload.images=0", "--out", out)
    with open(os.path.join(out, "summary.json")) as f:
        return json.load(f)["accuracy"]


def conv_gemm_names(onnx_path):
    import onnx
    return [n.name for n in onnx.load(onnx_path).graph.node if n.op_type in ("Conv", "Gemm")]


@torch.no_grad()
def adjust_weights(model, onnx_path, rows):
    """002 Eq. 6: w[k, c, ...] *= mean(eta) / eta_c for every consumer of feature c."""
    mods = models.weight_modules_in_forward_order(model)
    index = {name: i for i, name in enumerate(conv_gemm_names(onnx_path))}
    for r in rows:
        c, scale = int(r["feature"]), float(r["eq6_scale"])
        for consumer in r["consumers"].split(";"):
            w = mods[index[consumer]].weight
            if w.dim() == 4:
                w[:, c] *= scale
            else:  # linear reading a flattened C x H x W tensor: feature c owns a block of columns
                per = w.shape[1] // len({int(x["feature"]) for x in rows if x["name"] == r["name"]})
                w[:, c * per:(c + 1) * per] *= scale


def finetune(model, xtr, ytr, args, gen):
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    model.train()
    n = xtr.shape[0]
    for _ in range(args.finetune_epochs):
        perm = torch.randperm(n, generator=gen)
        for i in range(0, n, args.batch):
            idx = perm[i:i + args.batch]
            loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    model.eval()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", default="cnn_s002_archopt", choices=list(models.MODELS))
    ap.add_argument("--iterations", type=int, default=3, help="T of Algorithm 1")
    ap.add_argument("--finetune-epochs", type=int, default=1)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--relevance-images", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--name", default="cnn_s002_featopt")
    ap.add_argument("--out", default="workloads/zoo/")
    ap.add_argument("--zoo-yaml", default=None)
    ap.add_argument("--log", default=None, help="CSV of the per-iteration measurements")
    ap.add_argument("--work", default="/tmp/safsim_featopt")
    ap.add_argument("--safsim", default=os.path.join(ROOT, "build/safsim"))
    ap.add_argument("--config", default=os.path.join(ROOT, "configs/repro/002_criticality.yaml"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    train.set_seed(args.seed)
    gen = torch.Generator()
    gen.manual_seed(args.seed)
    xtr, ytr = fashion_mnist.load_tensors("train")
    xte, yte = fashion_mnist.load_tensors("test")
    base_onnx = os.path.join(ROOT, "workloads/zoo", args.base + ".onnx")
    model = models.from_onnx(args.base, base_onnx)
    os.makedirs(args.work, exist_ok=True)
    t0 = time.time()
    rows_log = []
    _, sd0 = criticality(args, base_onnx, os.path.join(args.work, "base_crit"))
    rows_log.append(dict(iteration="base", fp32_accuracy=train.evaluate(model, xte, yte),
                         int8_accuracy=int8_accuracy(args, base_onnx,
                                                     os.path.join(args.work, "base_eval")),
                         mean_sd_normalized_criticality=sd0))
    print(rows_log[-1], flush=True)
    for t in range(args.iterations):
        current = os.path.join(args.work, "iter%d_in.onnx" % t)
        train.export_onnx(model, current)
        rows, _ = criticality(args, current, os.path.join(args.work, "iter%d_crit_in" % t))
        adjust_weights(model, current, rows)
        adjusted = os.path.join(args.work, "iter%d_adjusted.onnx" % t)
        train.export_onnx(model, adjusted)
        _, sd = criticality(args, adjusted, os.path.join(args.work, "iter%d_crit_adjusted" % t))
        rows_log.append(dict(iteration=t, fp32_accuracy=train.evaluate(model, xte, yte),
                             int8_accuracy=int8_accuracy(args, adjusted,
                                                         os.path.join(args.work, "iter%d_eval" % t)),
                             mean_sd_normalized_criticality=sd))
        print(rows_log[-1], "%.0f s" % (time.time() - t0), flush=True)
        if t < args.iterations - 1:
            finetune(model, xtr, ytr, args, gen)
    final = os.path.join(args.out, args.name + ".onnx")
    train.export_onnx(model, final)
    if args.log:
        os.makedirs(os.path.dirname(args.log) or ".", exist_ok=True)
        with open(args.log, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows_log[0].keys()))
            w.writeheader()
            w.writerows(rows_log)
    elapsed = time.time() - t0
    _, opset, onnx_wpl, n_bn = train.onnx_layer_info(final)
    cmd = ("nice -n 10 /usr/bin/python3 workloads/train/featopt.py --base %s --iterations %d "
           "--finetune-epochs %d --lr %g --seed %d --relevance-images %d --name %s "
           "--out workloads/zoo/" % (args.base, args.iterations, args.finetune_epochs, args.lr,
                                     args.seed, args.relevance_images, args.name))
    if args.zoo_yaml:
        cmd += " --zoo-yaml %s" % args.zoo_yaml
    if args.log:
        cmd += " --log %s" % args.log
    entry = dict(
        name=args.name, file=args.name + ".onnx",
        description="%s after feature optimization (002 Algorithm 1, Eq. 6): T=%d weight "
                    "adjustments from safsim's eta, %d fine-tuning epoch(s) between them"
                    % (args.base, args.iterations, args.finetune_epochs),
        input_shape=[1, 28, 28],
        input_scale="1/255: x = uint8 pixel / 255.0 in [0,1], no mean/std normalization",
        classes=10, fp32_test_accuracy=round(rows_log[-1]["fp32_accuracy"], 4),
        weights_per_layer=onnx_wpl, total_weights=sum(onnx_wpl), onnx_ops=opset,
        onnx_bn_nodes=n_bn, train_command=cmd, seed=args.seed,
        epochs=args.finetune_epochs * (args.iterations - 1),
        weights_from="%s.onnx (fine-tuned)" % args.base,
        hyperparameters="opt=adam lr=%g wd=0 batch=%d sched=constant augment=none"
                        % (args.lr, args.batch),
        train_time_s=round(elapsed, 1), torch_version=torch.__version__)
    text = train.yaml_entry(entry)
    print(text)
    if args.zoo_yaml:
        train.update_zoo_yaml(args.zoo_yaml, args.name, text)


if __name__ == "__main__":
    main()
