#!/usr/bin/python3
"""PyTorch fp32 eager inference throughput of a zoo model on the Fashion-MNIST test set.

    /usr/bin/python3 workloads/train/bench_torch.py --model lenet5 [--zoo workloads/zoo/]

The model is rebuilt from models.py and loaded with the weights of
workloads/zoo/<model>.onnx (BN folded into the convs, exactly like the ONNX graph).
Timing: all 10,000 test images, batch 256, 2 threads, torch.no_grad(), model.eval(),
1 warm-up pass then best of 3 timed passes. Input preprocessing (pixel/255) is done
once before timing. Prints one JSON line.
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion_mnist  # noqa: E402
import models  # noqa: E402


def one_pass(model, x, batch):
    correct_logits = []
    for i in range(0, x.shape[0], batch):
        correct_logits.append(model(x[i:i + batch]))
    return torch.cat(correct_logits)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, choices=list(models.MODELS))
    ap.add_argument("--zoo", default=os.path.join(here, "..", "zoo"))
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    model = models.from_onnx(args.model, os.path.join(args.zoo, args.model + ".onnx")).eval()
    x, y = fashion_mnist.load_tensors("test")
    with torch.no_grad():
        logits = one_pass(model, x, args.batch)  # warm-up
        acc = (logits.argmax(1) == y).float().mean().item()
        best = float("inf")
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            one_pass(model, x, args.batch)
            best = min(best, time.perf_counter() - t0)
    print(json.dumps({"model": args.model, "images_per_s": round(x.shape[0] / best, 1),
                      "threads": args.threads, "batch": args.batch,
                      "torch": torch.__version__, "images": int(x.shape[0]),
                      "best_pass_s": round(best, 4), "fp32_test_accuracy": round(acc, 4)}))


if __name__ == "__main__":
    main()
