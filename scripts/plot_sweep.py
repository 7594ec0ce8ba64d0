#!/usr/bin/python3
"""Figures of a finished `safsim sweep` directory, as PNG and SVG under DIR/plots.

    /usr/bin/python3 scripts/plot_sweep.py out/sweeps/example_rates    (or: safsim plot DIR)

Reads DIR/aggregate.csv (per point: mean, std, min, max, 95% CI of every metric) and
DIR/summary.json (the axis columns and metrics), and draws what the axes call for:
  * accuracy (and every other metric) vs. a fault rate, one curve per mitigation scheme, with
    95% CI bands (001 Fig. 8), one panel per value of the remaining axes;
  * deviation histograms per scheme when deviation_histogram_* metrics were recorded (001 Fig. 9);
  * accuracy vs. flipped bit position / vs. layer (003 Figs. 6, 7, 9) for bitflip.bit / .layer;
  * detection sweeps (DIR/detection.csv): self-test detection accuracy, TPR and FPR vs. the
    fault rate, one curve per selection strategy, 95% Wilson bands (000 Figs. 1, 2);
  * otherwise every metric vs. every axis (cycles and energy vs. an architecture axis, ...).
Exit code 3 (and a hint) when matplotlib is missing: `safsim sweep --plot` never fails for it.
"""
import csv
import json
import math
import os
import sys

SCHEME = "mitigation.scheme"
BIT = "faults.weights.bitflip.bit"
LAYER = "faults.weights.bitflip.layer"
HISTOGRAMS = ("deviation_histogram_before", "deviation_histogram_after")
CYCLE_METRICS = {"cycles", "cycles_per_image", "latency_us_per_image", "utilization",
                 "stall_share", "energy_pj", "energy_uj_per_image"}


def load(directory):
    with open(os.path.join(directory, "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(directory, "aggregate.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    return summary, rows


def as_number(text):
    try:
        return float(text)
    except ValueError:
        return None


def is_numeric(rows, column):
    return all(as_number(r[column]) is not None for r in rows)


def is_rate(column):
    return column.endswith(".rate")


def short(column):
    """faults.weights.stuck_at.rate -> stuck_at.rate (labels stay readable)."""
    parts = column.split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 else column


def stat(row, metric, name):
    value = as_number(row.get(f"{metric}_{name}", "nan"))
    return math.nan if value is None else value


def ordered_values(rows, column):
    seen = []
    for r in rows:
        if r[column] not in seen:
            seen.append(r[column])
    if is_numeric(rows, column):
        seen.sort(key=float)
    return seen


def panels(rows, columns):
    """Groups rows by the values of `columns` (one panel per combination)."""
    if not columns:
        return [("", rows)]
    groups = {}
    for r in rows:
        key = ", ".join(f"{short(c)}={r[c]}" for c in columns)
        groups.setdefault(key, []).append(r)
    return list(groups.items())


def save(plt, fig, directory, name):
    os.makedirs(os.path.join(directory, "plots"), exist_ok=True)
    base = os.path.join(directory, "plots", name)
    fig.savefig(base + ".png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    fig.savefig(base + ".svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    print(f"plot: {base}.png / .svg")


def curve_plot(plt, directory, rows, x, group, metric, name):
    """metric vs x, one curve per value of `group`, 95% CI bands; one panel per other axis."""
    others = [c for c in rows[0].keys() if c in COLUMNS and c not in (x, group)]
    parts = panels(rows, others)
    cols = min(3, len(parts))
    nrows = math.ceil(len(parts) / cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(5 * cols, 3.6 * nrows), squeeze=False)
    # Layers are names (or indices that only name a layer): categorical, in sweep order.
    numeric_x = is_numeric(rows, x) and x != LAYER
    categories = ordered_values(rows, x)
    scale = 100.0 if is_rate(x) else 1.0
    # One colour per group value across every panel, so a scheme looks the same everywhere.
    groups = ordered_values(rows, group) if group else [None]
    for ax, (title, part) in zip(axes.flat, parts):
        for g in groups:
            sel = [r for r in part if group is None or r[group] == g]
            if not sel:
                continue
            sel.sort(key=lambda r: float(r[x]) if numeric_x else categories.index(r[x]))
            xs = [float(r[x]) * scale if numeric_x else categories.index(r[x]) for r in sel]
            mean = [stat(r, metric, "mean") for r in sel]
            lo = [stat(r, metric, "ci95_lo") for r in sel]
            hi = [stat(r, metric, "ci95_hi") for r in sel]
            color = f"C{groups.index(g) % 10}"
            ax.plot(xs, mean, marker="o", color=color, label=g if g is not None else metric)
            if not all(math.isnan(v) for v in lo):
                ax.fill_between(xs, lo, hi, alpha=0.2, color=color, linewidth=0)
        ax.set_xlabel(short(x) + (" (%)" if is_rate(x) else ""))
        ax.set_ylabel(metric)
        ax.set_title(title, fontsize=9)
        ax.grid(True, alpha=0.3)
        if group:
            ax.legend(title=short(group), fontsize=8)
        if not numeric_x:
            ax.set_xticks(range(len(categories)))
            ax.set_xticklabels(categories, rotation=45, ha="right")
    for ax in list(axes.flat)[len(parts):]:
        ax.set_visible(False)
    save(plt, fig, directory, name)


def histogram_plot(plt, directory, rows, which):
    """001 Fig. 9: weights per log2 deviation bin, one bar group per scheme."""
    bins = sorted(int(m.rsplit("_", 1)[1]) for m in METRICS if m.startswith(which + "_"))
    group = SCHEME if SCHEME in COLUMNS else None
    others = [c for c in COLUMNS if c != group]
    for index, (title, part) in enumerate(panels(rows, others)):
        fig, ax = plt.subplots(figsize=(7, 3.6))
        labels = ordered_values(part, group) if group else [None]
        used = [b for b in bins if any(stat(r, f"{which}_{b}", "mean") > 0 for r in part)]
        shown = list(range(0, (max(used) if used else 0) + 1))
        width = 0.8 / len(labels)
        for k, g in enumerate(labels):
            sel = [r for r in part if group is None or r[group] == g][0]
            counts = [stat(sel, f"{which}_{b}", "mean") for b in shown]
            ax.bar([b + (k - (len(labels) - 1) / 2) * width for b in shown], counts, width=width,
                   label=g or which)
        ax.set_xticks(shown)
        ax.set_xticklabels([f"$2^{{{b}}}$" for b in shown])
        ax.set_yscale("log")
        ax.set_xlabel("deviation |decoded - quantized| (LSBs), log2 bins")
        ax.set_ylabel("weights (mean over trials)")
        ax.set_title(f"{which} {title}".strip(), fontsize=9)
        ax.legend(fontsize=8)
        save(plt, fig, directory, f"{which}_{index}")


def detection_plot(plt, directory, x):
    """000 Figs. 1-2: detection accuracy, TPR and FPR vs. the fault rate, one curve per strategy,
    one row of panels per combination of the other axes."""
    with open(os.path.join(directory, "detection.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    others = [c for c in COLUMNS if c != x]
    parts = panels(rows, others)
    fig, axes = plt.subplots(len(parts), 3, figsize=(15, 3.8 * len(parts)), squeeze=False)
    for row_axes, (title, part) in zip(axes, parts):
        for ax, (what, label) in zip(row_axes, [("accuracy", "detection accuracy (TP+TN)/maps"),
                                                ("tpr", "TPR: harmful maps detected"),
                                                ("fpr", "FPR: harmless maps flagged")]):
            for strategy in ordered_values(part, "strategy"):
                sel = sorted((r for r in part if r["strategy"] == strategy), key=lambda r: float(r[x]))
                xs = [100.0 * float(r[x]) for r in sel]
                ys = [as_number(r[what]) for r in sel]
                lo = [as_number(r[what + "_lo"]) for r in sel]
                hi = [as_number(r[what + "_hi"]) for r in sel]
                line, = ax.plot(xs, ys, marker="o", label=strategy)
                ax.fill_between(xs, lo, hi, alpha=0.12, color=line.get_color(), linewidth=0)
            ax.set_xscale("log")
            ax.set_xlabel(short(x) + " (%)")
            ax.set_ylabel(label)
            ax.set_ylim(-0.02, 1.02)
            ax.set_title(title, fontsize=9)
            ax.grid(True, alpha=0.3)
        row_axes[0].legend(fontsize=8)
    save(plt, fig, directory, f"detection_vs_{short(x)}")


def main():
    if len(sys.argv) != 2:
        print("usage: plot_sweep.py DIR", file=sys.stderr)
        return 2
    directory = sys.argv[1]
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("plot: matplotlib is missing; install it with `apt-get install python3-matplotlib` "
              "(then: safsim plot " + directory + ")", file=sys.stderr)
        return 3
    plt.rcParams["svg.hashsalt"] = "safsim"  # stable SVG ids: reruns give identical files
    summary, rows = load(directory)
    global COLUMNS, METRICS
    COLUMNS, METRICS = summary["columns"], summary["metrics"]
    if not rows:
        print("plot: no points", file=sys.stderr)
        return 2
    detection = os.path.exists(os.path.join(directory, "detection.csv"))
    scalar = [m for m in METRICS if not m.startswith(HISTOGRAMS)
              and not (detection and (m == "harmful" or m.startswith("detected_")))]
    drawn = False
    rates = [c for c in COLUMNS if is_rate(c) and is_numeric(rows, c)]
    for x in rates if detection else []:  # 000 Figs. 1, 2
        detection_plot(plt, directory, x)
    for x in rates:  # 001 Fig. 8 style
        group = SCHEME if SCHEME in COLUMNS else next((c for c in COLUMNS if c != x), None)
        for m in scalar:
            curve_plot(plt, directory, rows, x, group, m, f"{m}_vs_{short(x)}")
            drawn = True
    for x in (BIT, LAYER):  # 003 Figs. 6, 7, 9
        if x in COLUMNS:
            group = next((c for c in COLUMNS if c != x), None)
            for m in scalar:
                curve_plot(plt, directory, rows, x, group, m, f"{m}_vs_{short(x)}")
                drawn = True
    for which in HISTOGRAMS:
        if any(m.startswith(which + "_") for m in METRICS):
            histogram_plot(plt, directory, rows, which)
            drawn = True
    # Generic: every metric (or, when the figures above were drawn, the cycle engine's cost
    # metrics) vs. every other axis, e.g. cycles and energy vs. the array shape.
    special = set(rates) | {SCHEME, BIT, LAYER}
    for x in [c for c in COLUMNS if not (drawn and c in special)]:
        group = next((c for c in COLUMNS if c != x), None)
        for m in scalar if not drawn else [m for m in scalar if m in CYCLE_METRICS]:
            curve_plot(plt, directory, rows, x, group, m, f"{m}_vs_{short(x)}")
    if not COLUMNS:
        print("plot: the sweep has no axes; nothing to plot against", file=sys.stderr)
    return 0


COLUMNS, METRICS = [], []

if __name__ == "__main__":
    sys.exit(main())
