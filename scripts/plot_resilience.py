#!/usr/bin/python3
"""Figures of a `safsim analyze` directory, as PNG and SVG under DIR/plots.

    /usr/bin/python3 scripts/plot_resilience.py out/002_neuron_failures

Draws what the directory holds:
  * histogram.csv (analyze neuron-failures): neurons per failure-rate bin, log scale, one series
    per model (002 Figs. 3, 4);
  * ber.csv (analyze ber): failure rate vs bit error rate with 95% CI bands, one curve per model
    (002 Fig. 7);
  * criticality.csv (analyze criticality): normalized criticality eta/mean(eta) per feature map,
    one panel per layer (the spread 002 Fig. 5b summarizes).
Every title names the models, weight bits, images and trials, read from DIR/summary.json (and
DIR/compare/summary.json for --compare).
Exit code 3 (and a hint) when matplotlib is missing: safsim analyze never fails for it.
"""
import csv
import json
import os
import sys

MARKERS = "osD^v"  # hollow and of different sizes: curves that coincide stay visible


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def summaries(directory):
    """summary.json of the run and, with --compare, of the second model (DIR/compare)."""
    found = []
    for path in (os.path.join(directory, "summary.json"),
                 os.path.join(directory, "compare", "summary.json")):
        if os.path.exists(path):
            with open(path) as f:
                found.append(json.load(f))
    return found


def setup(directory, trials):
    """'model(s), Q-bit weights, N test images, <trials>': what the figure was computed from."""
    runs = summaries(directory)
    if not runs:
        return trials
    first = runs[0]
    images = first.get("images", "?")
    return (" / ".join(r.get("model", "?") for r in runs)
            + f", {first.get('weight_bits', '?')}-bit weights, "
            + ("all test images" if images == 0 else f"{images} test images") + f", {trials}")


def save(fig, directory, name, subject, setup_line, legend=None):
    """Title above, legend right of the axes (it hides no bar or curve), PNG and SVG."""
    fig.tight_layout()
    fig.suptitle(f"{subject}\n{setup_line}", y=1.0, va="bottom", fontsize=10)
    if legend:
        fig.legend(*legend, loc="upper left", bbox_to_anchor=(1.0, 0.95), fontsize=8,
                   frameon=False)
    out = os.path.join(directory, "plots")
    os.makedirs(out, exist_ok=True)
    for ext in ("png", "svg"):
        fig.savefig(os.path.join(out, f"{name}.{ext}"), dpi=150, bbox_inches="tight",
                    metadata={"Software": None} if ext == "png" else {"Date": None})
    print(f"plot: {os.path.join(out, name)}.png / .svg")


def histogram(plt, directory):
    rows = read(os.path.join(directory, "histogram.csv"))
    models = [k for k in rows[0].keys() if k not in ("bin_lo", "bin_hi")]
    # Failure rates are shares of the correctly classified images: shown in %.
    width = 100.0 * (float(rows[0]["bin_hi"]) - float(rows[0]["bin_lo"]))
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for i, m in enumerate(models):
        lo = [100.0 * float(r["bin_lo"]) for r in rows]
        n = [int(r[m]) for r in rows]
        ax.bar([x + width * (i + 0.5) / len(models) for x in lo], n, width=width / len(models),
               label=m, alpha=0.8)
    ax.set_yscale("log")
    ax.set_xlabel("failure rate after an MSB flip (% of correctly classified images)")
    ax.set_ylabel("neurons (count)")
    last = max((100.0 * float(r["bin_hi"]) for r in rows if any(int(r[m]) for m in models)),
               default=100.0)
    ax.set_xlim(0, min(100.0, last + width))
    ax.grid(True, axis="y", alpha=0.3)
    runs = summaries(directory)
    # Each tested neuron is one trial: its MSB flipped alone over every image.
    tested = " / ".join(dict.fromkeys(str(r.get("tested", "?")) for r in runs)) or "?"
    how = " (sampled)" if runs and "sampling" in runs[0] else ""
    save(fig, directory, "failure_rate_histogram", "Neurons per failure rate (002 Fig. 3)",
         setup(directory, f"{tested} neurons flipped one at a time{how}"),
         ax.get_legend_handles_labels())


def ber(plt, directory):
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter
    rows = read(os.path.join(directory, "ber.csv"))
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for k, m in enumerate(dict.fromkeys(r["model"] for r in rows)):
        pts = [r for r in rows if r["model"] == m]
        x = [float(r["rate"]) for r in pts]
        y = [100.0 * float(r["mean"]) for r in pts]
        # The log axis cannot show a 0 lower bound: the band then runs to the bottom edge.
        lo = [max(100.0 * float(p["ci95_lo"]), 1e-9) for p in pts]
        hi = [100.0 * float(p["ci95_hi"]) for p in pts]
        line, = ax.plot(x, y, marker=MARKERS[k % len(MARKERS)], markerfacecolor="none",
                        markersize=max(4.0, 8.0 - 1.5 * k), label=m)
        ax.fill_between(x, lo, hi, alpha=0.2, color=line.get_color(), linewidth=0)
    ax.set_xscale("log")
    ax.set_yscale("log")  # failure rates span orders of magnitude over the BERs
    # Plain numbers (0.5, 2, 50) read as %; minor ticks labelled at 2 and 5 only.
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(FuncFormatter(
        lambda v, _: f"{v:g}" if f"{v:.0e}"[0] in "25" else ""))
    ax.set_xlabel("bit error rate of the activations (flips per bit)")
    ax.set_ylabel("failure rate (% of correct images)")
    ax.grid(True, which="major", alpha=0.3)
    ax.grid(True, which="minor", alpha=0.1)
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Patch(facecolor="0.5", alpha=0.3))
    labels.append("95% CI of the mean")
    runs = sorted({int(r["runs"]) for r in rows})
    save(fig, directory, "failure_rate_vs_ber", "Failure rate vs BER (002 Fig. 7)",
         setup(directory, "/".join(map(str, runs)) + " runs (random activation flips) per BER"),
         (handles, labels))


def criticality(plt, directory):
    rows = read(os.path.join(directory, "criticality.csv"))
    layers = list(dict.fromkeys(r["name"] for r in rows))
    runs = summaries(directory)
    sd = {t["layer"]: t.get("normalized_sd") for t in (runs[0].get("tensors", []) if runs else [])}
    fig, axes = plt.subplots(len(layers), 1, figsize=(6, 1.8 * len(layers)), squeeze=False)
    for ax, name in zip(axes[:, 0], layers):
        pts = [r for r in rows if r["name"] == name]
        ax.bar([int(r["feature"]) for r in pts], [float(r["eta_normalized"]) for r in pts],
               label="feature map")
        ax.axhline(1.0, color="k", lw=0.8, linestyle="--", label="layer mean (= 1)")
        ax.set_ylabel("η / mean η")
        spread = f", SD {sd[name]:.3f}" if sd.get(name) is not None else ""
        ax.set_title(name + spread, fontsize=8)
    axes[-1, 0].set_xlabel("feature map (channel index)")
    relevance = runs[0].get("relevance_images", "?") if runs else "?"
    # No fault is injected: Eq. 5 turns the mean LRP relevance into a criticality.
    save(fig, directory, "criticality",
         "Normalized criticality per feature map (002 Eq. 5, Fig. 5b), dimensionless",
         setup(directory, f"LRP relevance over {relevance} training images, no fault maps"),
         axes[0, 0].get_legend_handles_labels())


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
