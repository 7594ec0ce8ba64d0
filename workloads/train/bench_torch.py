#!/usr/bin/python3
"""PyTorch fp32 eager inference throughput of a zoo model on the Fashion-MNIST test set.

    /usr/bin/python3 workloads/train/bench_torch.py --model lenet5 [--zoo workloads/zoo/]

The model is rebuilt from models.py and loaded with the weights of
workloads/zoo/<model>.onnx (BN folded into the convs, exactly like the ONNX graph).
Timing: all 10,000 test images, 2 threads, torch.no_grad(), model.eval(); for each batch
size of --batches (default 64, 256 and 1,000) 1 warm-up pass then best of 3 timed passes,
and the best batch size is the one reported (every size's figure is in "per_batch").
Input preprocessing (pixel/255) is done once before timing. Prints one JSON line.
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
    ap.add_argument("--batches", default="64,256,1000",
                    help="comma-separated batch sizes; the fastest is reported")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    model = models.from_onnx(args.model, os.path.join(args.zoo, args.model + ".onnx")).eval()
    x, y = fashion_mnist.load_tensors("test")
    per_batch = {}
    with torch.no_grad():
        for batch in [int(b) for b in args.batches.split(",")]:
            logits = one_pass(model, x, batch)  # warm-up
            acc = (logits.argmax(1) == y).float().mean().item()
            best_of_size = float("inf")
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                one_pass(model, x, batch)
                best_of_size = min(best_of_size, time.perf_counter() - t0)
            per_batch[batch] = best_of_size
    batch, best = min(per_batch.items(), key=lambda kv: kv[1])
    print(json.dumps({"model": args.model, "images_per_s": round(x.shape[0] / best, 1),
                      "threads": args.threads, "batch": batch,
                      "per_batch": {str(b): round(x.shape[0] / t, 1) for b, t in per_batch.items()},
                      "torch": torch.__version__, "images": int(x.shape[0]),
                      "best_pass_s": round(best, 4), "fp32_test_accuracy": round(acc, 4)}))


if __name__ == "__main__":
    main()
