#!/usr/bin/python3
"""Figure of a finished read-error sweep (configs/repro/read_errors_dataflow.yaml):
DIR/plots/read_errors.png and .svg.

    /usr/bin/python3 scripts/plot_read_errors.py out/sweeps/read_errors_dataflow

Reads DIR/aggregate.csv. One panel per model: top-1 accuracy (%) vs. the read bit-error rate
(faults.weights.read_errors.ber, log axis), one curve per dataflow with its 95% CI band over the
trials, and the fault-free accuracy (accuracy + accuracy_drop) as a dotted line. The legend
names each dataflow's NVM reads per image. Exit code 3 (and a hint) when matplotlib is missing.
"""
import csv
import json
import math
import os
import sys

STYLE = {"ws": ("tab:blue", "o", "-"), "os": ("tab:orange", "s", "--"),
         "is": ("tab:green", "^", ":")}
NAMES = {"ws": "weight", "os": "output", "is": "input"}
BER = "faults.weights.read_errors.ber"


def number(text):
    value = float(text)
    return None if math.isnan(value) else value


def main(directory):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("plot: matplotlib is missing; install it with "
              "`apt-get install python3-matplotlib`", file=sys.stderr)
        return 3
    plt.rcParams["svg.hashsalt"] = "safsim"  # stable SVG ids: reruns give identical files
    with open(os.path.join(directory, "aggregate.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        print("plot: aggregate.csv is empty", file=sys.stderr)
        return 1
    with open(os.path.join(directory, "summary.json")) as f:
        summary = json.load(f)
    models = sorted({r["workload.model"] for r in rows}, key=lambda m: (m != "lenet5", m))
    fig, axes = plt.subplots(1, len(models), figsize=(6.0 * len(models) + 2.5, 4.2), squeeze=False)
    for ax, model in zip(axes[0], models):
        mine = [r for r in rows if r["workload.model"] == model]
        images = mine[0].get("workload.images", "?")
        trials = mine[0]["trials"]
        free = [number(r["accuracy_mean"]) + number(r["accuracy_drop_mean"]) for r in mine]
        ax.axhline(100.0 * sum(free) / len(free), color="gray", linestyle=":",
                   label="fault-free")
        for d in ("ws", "os", "is"):
            curve = sorted((float(r[BER]), r) for r in mine if r["accelerator.dataflow"] == d)
            if not curve:
                continue
            xs = [b for b, _ in curve]
            ys = [100.0 * number(r["accuracy_mean"]) for _, r in curve]
            lo = [100.0 * max(0.0, number(r["accuracy_ci95_lo"]) or 0.0) for _, r in curve]
            hi = [100.0 * min(1.0, number(r["accuracy_ci95_hi"]) or 1.0) for _, r in curve]
            reads = number(curve[0][1]["nvm_reads_per_image_mean"])
            color, marker, dash = STYLE[d]
            ax.plot(xs, ys, color=color, marker=marker, linestyle=dash, markerfacecolor="none",
                    label=f"{d} ({NAMES[d]}-stationary), {reads:,.0f} NVM reads/image")
            if all(number(r["accuracy_ci95_lo"]) is not None for _, r in curve):
                ax.fill_between(xs, lo, hi, color=color, alpha=0.15, linewidth=0)
        ax.set_xscale("log")
        ax.set_xlabel("read bit-error rate (per cell and read)")
        ax.set_ylabel("top-1 accuracy (%)")
        ax.set_title(f"{model}, {images} test images, {trials} trials per point", fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8, loc="lower left")
    fig.suptitle(f"Accuracy under NVM read errors per dataflow — sweep {summary.get('name', '?')}, "
                 "8-bit weights, 16×16 array, cycle engine (bands: 95% CI of the mean)")
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    out = os.path.join(directory, "plots")
    os.makedirs(out, exist_ok=True)
    for ext in ("png", "svg"):
        fig.savefig(os.path.join(out, f"read_errors.{ext}"), dpi=110)
    print(f"wrote {out}/read_errors.png, read_errors.svg")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
