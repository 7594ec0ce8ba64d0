#!/usr/bin/python3
"""Figures of a `safsim analyze` directory, as PNG and SVG under DIR/plots.

    /usr/bin/python3 scripts/plot_resilience.py out/002_neuron_failures

Draws what the directory holds:
  * histogram.csv (analyze neuron-failures): neurons per failure-rate bin, log scale, one series
    per model (002 Figs. 3, 4);
  * ber.csv (analyze ber): failure rate vs bit error rate with 95% CI bars, one curve per model
    (002 Fig. 7);
  * criticality.csv (analyze criticality): normalized criticality eta/mean(eta) per feature map,
    one panel per layer (the spread 002 Fig. 5b summarizes).
Exit code 3 (and a hint) when matplotlib is missing: safsim analyze never fails for it.
"""
import csv
import os
import sys


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def save(fig, directory, name):
    out = os.path.join(directory, "plots")
    os.makedirs(out, exist_ok=True)
    for ext in ("png", "svg"):
        fig.savefig(os.path.join(out, f"{name}.{ext}"), dpi=150, bbox_inches="tight")


def histogram(plt, directory):
    rows = read(os.path.join(directory, "histogram.csv"))
    models = [k for k in rows[0].keys() if k not in ("bin_lo", "bin_hi")]
    width = float(rows[0]["bin_hi"]) - float(rows[0]["bin_lo"])
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for i, m in enumerate(models):
        lo = [float(r["bin_lo"]) for r in rows]
        n = [int(r[m]) for r in rows]
        ax.bar([x + width * (i + 0.5) / len(models) for x in lo], n, width=width / len(models),
               label=m, alpha=0.8)
    ax.set_yscale("log")
    ax.set_xlabel("failure rate after an MSB flip")
    ax.set_ylabel("number of neurons")
    last = max((float(r["bin_hi"]) for r in rows if any(int(r[m]) for m in models)), default=1)
    ax.set_xlim(0, min(1.0, last + width))
    ax.legend()
    ax.set_title("Neurons per failure rate (002 Fig. 3)")
    save(fig, directory, "failure_rate_histogram")


def ber(plt, directory):
    rows = read(os.path.join(directory, "ber.csv"))
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for m in dict.fromkeys(r["model"] for r in rows):
        pts = [r for r in rows if r["model"] == m]
        x = [float(r["rate"]) for r in pts]
        y = [float(r["mean"]) for r in pts]
        err = [[y[i] - max(0.0, float(p["ci95_lo"])) for i, p in enumerate(pts)],
               [float(p["ci95_hi"]) - y[i] for i, p in enumerate(pts)]]
        ax.errorbar(x, y, yerr=err, marker="o", capsize=3, label=m)
    ax.set_xscale("log")
    ax.set_yscale("log")  # failure rates span orders of magnitude over the BERs
    ax.set_xlabel("bit error rate of the activations")
    ax.set_ylabel("failure rate")
    ax.legend()
    ax.set_title("Failure rate vs BER (002 Fig. 7), 95% CI")
    save(fig, directory, "failure_rate_vs_ber")


def criticality(plt, directory):
    rows = read(os.path.join(directory, "criticality.csv"))
    layers = list(dict.fromkeys(r["name"] for r in rows))
    fig, axes = plt.subplots(len(layers), 1, figsize=(6, 1.8 * len(layers)), squeeze=False)
    for ax, name in zip(axes[:, 0], layers):
        pts = [r for r in rows if r["name"] == name]
        ax.bar([int(r["feature"]) for r in pts], [float(r["eta_normalized"]) for r in pts])
        ax.axhline(1.0, color="k", lw=0.5)
        ax.set_ylabel("eta / mean")
        ax.set_title(name, fontsize=8)
    axes[-1, 0].set_xlabel("feature map")
    fig.tight_layout()
    save(fig, directory, "criticality")


def main():
    if len(sys.argv) != 2:
        print("usage: plot_resilience.py DIR", file=sys.stderr)
        return 2
    directory = sys.argv[1]
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("plot: matplotlib is missing; install it with `apt-get install python3-matplotlib` "
              "(then: /usr/bin/python3 scripts/plot_resilience.py " + directory + ")",
              file=sys.stderr)
        return 3
    plt.rcParams["svg.hashsalt"] = "safsim"  # stable SVG ids: reruns give identical files
    drawn = False
    for name, draw in (("histogram.csv", histogram), ("ber.csv", ber),
                       ("criticality.csv", criticality)):
        if os.path.exists(os.path.join(directory, name)):
            draw(plt, directory)
            drawn = True
    if not drawn:
        print(f"plot: {directory} holds no histogram.csv, ber.csv or criticality.csv",
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
