#!/usr/bin/python3
"""Figures of a finished `safsim sweep` directory, as PNG and SVG under DIR/plots.

    /usr/bin/python3 scripts/plot_sweep.py out/sweeps/example_rates    (or: safsim plot DIR)

Reads DIR/aggregate.csv (per point: mean, std, min, max, 95% CI of every metric), summary.json
(axis columns, metrics, trials per point) and sweep.resolved.yaml (model, dataset, weight bits,
images: the titles), and draws what the axes call for:
  * every metric vs. a fault rate (in %), one curve per scheme, 95% CI bands (001 Fig. 8), one
    panel per value of the other axes; the same vs. bitflip.bit / .layer (003 Figs. 6, 7, 9);
  * deviation histograms per scheme when deviation_histogram_* metrics were recorded (001 Fig. 9);
  * detection sweeps (DIR/detection.csv): detection accuracy, TPR and FPR vs. the fault rate,
    one curve per test-set strategy, 95% Wilson bands (000 Figs. 1, 2);
  * otherwise every metric vs. every axis (cycles and energy vs. an architecture axis, ...).
Keys zipped together (accelerator.array.rows and .cols) are one x axis: 8×8, 16×16, 32×32.
Exit code 3 (and a hint) when matplotlib is missing: `safsim sweep --plot` never fails for it.
"""
import csv
import json
import math
import os
import sys
import textwrap

SCHEME = "mitigation.scheme"
BIT = "faults.weights.bitflip.bit"
LAYER = "faults.weights.bitflip.layer"
HISTOGRAMS = ("deviation_histogram_before", "deviation_histogram_after")
CYCLE_METRICS = {"cycles", "cycles_per_image", "latency_us_per_image", "utilization",
                 "stall_share", "energy_pj", "energy_uj_per_image"}
# Hollow markers of different shapes and sizes, and different dashes: curves that coincide
# (two schemes decoding alike) still show one marker inside the other.
MARKERS = "osD^vP<>Xh"
DASHES = ["-", "--", "-.", ":"]

# metric -> y label with unit. The CSVs keep shares as 0..1 and energy in pJ; a label in "(%"
# shows the share in %, energy_pj is shown in µJ.
METRIC_LABELS = {
    "accuracy": "accuracy (%)", "accuracy_drop": "accuracy drop (% points)",
    "fault_free_accuracy": "fault-free accuracy (%)", "utilization": "PE utilization (%)",
    "failure_rate": "failure rate (% of correct images)", "harmful": "harmful maps (% of maps)",
    "ratio_1_non_silent": "weights with 1 non-silent fault (% of weights)",
    "ratio_2plus_non_silent": "weights with ≥2 non-silent faults (% of weights)",
    "weights_with_1_non_silent": "weights with 1 non-silent fault (weights)",
    "weights_with_2plus_non_silent": "weights with ≥2 non-silent faults (weights)",
    "stall_share": "stall cycles (% of cycles)", "cycles": "cycles, all images (cycles)",
    "cycles_per_image": "cycles per image (cycles)", "stored_bits": "stored bits (bits)",
    "latency_us_per_image": "latency per image (µs)", "energy_pj": "energy, all images (µJ)",
    "energy_uj_per_image": "energy per image (µJ)",
    "non_silent_faults": "non-silent faults (cells)",
    "march_operations": "March operations (operations)"}
# Units of metric families, by how the name ends or starts (see docs/sweeps.md's table).
METRIC_SUFFIX_UNITS = [("_deviation_before", "LSB"), ("_deviation_after", "LSB"),
                       ("_cycles", "cycles"), ("_gates", "gates"), ("_words", "words"),
                       ("_cells", "cells"), ("_non_silent", "weights"), ("weights", "weights"),
                       ("_before", "weights"), ("_after", "weights"), ("_injected", "bit flips"),
                       ("_effective", "bit flips")]
# x axes: key -> label with unit (the last key components stay recognisable).
AXIS_LABELS = {"faults.weights.stuck_at.rate": "stuck-at rate (% of cells)",
               "faults.weights.bitflip.rate": "bit-flip rate (% of weight bits)",
               "faults.activations.bitflip.rate": "bit-flip rate (% of activation bits)",
               BIT: "flipped bit position (0 = LSB)", LAYER: "layer with the flipped bits"}
AXIS_SUFFIX_UNITS = [(".rate", "%"), ("array.rows", "PEs"), ("array.cols", "PEs"),
                     ("clock_mhz", "MHz"), ("_kib", "KiB"), ("_bits", "bits"),
                     ("_cycles", "cycles"), ("images", "images"), ("banks", "banks"),
                     ("_words", "words"), ("lanes", "lanes")]


def metric_label(metric):
    """(y label with unit, factor from the CSV value to the plotted one) of a metric."""
    words = metric.replace("_", " ")
    unit = "% of maps" if metric.startswith("detected_") else \
        next((u for end, u in METRIC_SUFFIX_UNITS if metric.endswith(end)), None)
    label = METRIC_LABELS.get(metric, f"{words} ({unit})" if unit else words)
    return label, 100.0 if "(%" in label else 1e-6 if metric == "energy_pj" else 1.0


def short(column):
    """faults.weights.stuck_at.rate -> stuck_at.rate (labels stay readable)."""
    return ZIPPED[column]["name"] if column in ZIPPED else ".".join(column.split(".")[-2:])


def axis_label(column):
    """x label with unit: stuck-at rate (% of cells), array rows×cols (PEs), ..."""
    if column in ZIPPED or column in AXIS_LABELS:
        return ZIPPED[column]["label"] if column in ZIPPED else AXIS_LABELS[column]
    unit = next((u for end, u in AXIS_SUFFIX_UNITS if column.endswith(end)), None)
    return short(column) + (f" ({unit})" if unit else "")


def read_resolved(path):
    """Scalars of a resolved YAML file as {dotted.key: text}. Enough for the block-style files
    safsim writes (config.resolved.yaml, sweep.resolved.yaml), so no PyYAML is needed."""
    values, stack = {}, []  # stack: (indent, key) of the enclosing maps
    with open(path) if os.path.exists(path) else open(os.devnull) as f:
        for line in f:
            text = line.split(" #")[0].rstrip()
            key, colon, value = text.strip().partition(":")
            if not colon or text.lstrip().startswith(("-", "#")):  # list items: the points
                continue
            indent = len(text) - len(text.lstrip())
            stack = [(i, k) for i, k in stack if i < indent]
            if value.strip():
                values[".".join([k for _, k in stack] + [key])] = value.strip().strip('"')
            else:
                stack.append((indent, key))
    return values


def describe(directory, summary, columns):
    """One line naming what every point shares: model, weight bits, images, fault maps."""
    conf = read_resolved(os.path.join(directory, "sweep.resolved.yaml"))

    def value(key, default="?"):
        # A key the sweep varies is listed with all its values, in sweep (zip) order.
        if key in columns:
            return "/".join(dict.fromkeys(r[key] for r in ROWS))
        return conf.get("config." + key, default)

    images = value("workload.images")
    images = "all test images" if images == "0" else images + " images"
    # "fault maps" only when trials differ by their faults; a fault-free sweep has trials.
    faulty = any(c.startswith("faults.") for c in columns) or \
        conf.get("config.faults.weights.stuck_at.rate", "0") not in ("0", "?") or \
        conf.get("config.faults.weights.bitflip.mode", "none") != "none"
    n = int(summary.get("repeat", 1))
    trials = f"{n:,} {'fault map' if faulty else 'trial'}{'' if n == 1 else 's'} per point"
    parts = [f"{summary.get('name', os.path.basename(directory))}: {value('workload.model')} on "
             f"{value('workload.dataset')}", f"{value('quant.weight_bits')}-bit weights", images,
             trials, value("engine") + " engine"]
    # No-break spaces inside a part: a wrapped title breaks between parts, not inside one.
    return ", ".join(p.replace(" ", "\u00a0") for p in parts)


def merge_zipped(rows, columns):
    """Columns that determine each other over all points (a sweep `zip:`; summary.json lists
    zipped keys as separate columns) become one column whose values read "8×8". Scheme, bit,
    layer and rate axes stay alone: their figures key on them."""
    def determines(a, b):  # as many distinct (a, b) pairs as a values: a -> b is a function
        return len({r[a] for r in rows}) == len({(r[a], r[b]) for r in rows})

    free = [c for c in columns if c not in (SCHEME, BIT, LAYER) and not is_rate(c)
            and len({r[c] for r in rows}) > 1]
    merged, used = [], set()
    for a in columns:
        group = [a] + [b for b in free if a in free and b != a and b not in used
                       and determines(a, b) and determines(b, a)]
        if a in used or len(group) == 1:
            merged += [] if a in used else [a]
            continue
        used.update(group)
        # Numbers under one parent (accelerator.array.rows, .cols) read as "rows×cols".
        parents = {c.rsplit(".", 1)[0] for c in group}
        same = len(parents) == 1 and all(is_numeric(rows, c) for c in group)
        leaves = "×".join(c.rsplit(".", 1)[-1] for c in group)
        unit = next((u for end, u in AXIS_SUFFIX_UNITS if group[0].endswith(end)), None)
        name = parents.pop().rsplit(".", 1)[-1] + "." + leaves if same else leaves
        label = (name.replace(".", " ") + (f" ({unit})" if unit else "") if same
                 else " / ".join(axis_label(c) for c in group))
        key = "+".join(group)
        ZIPPED[key] = {"name": name, "label": label, "members": group,
                       "sep": "×" if same else " / "}
        for r in rows:
            r[key] = ZIPPED[key]["sep"].join(r[c] for c in group)
        merged.append(key)
    return merged


def as_number(text):
    try:
        return float(text)
    except (TypeError, ValueError):  # '' (no value), None (no column), a name
        return None


def is_numeric(rows, column):
    return column not in ZIPPED and all(as_number(r[column]) is not None for r in rows)


def is_rate(column):
    return column.endswith(".rate")


def stat(row, metric, name=""):
    """A number of a row, nan when missing: no CI for one trial, no TPR without harmful maps."""
    value = as_number(row.get(f"{metric}_{name}" if name else metric, "nan"))
    return math.nan if value is None else value


def ordered_values(rows, column):
    """Values in sweep order (zipped values as the zip lists them), numbers ascending."""
    seen = list(dict.fromkeys(r[column] for r in rows))
    if is_numeric(rows, column):
        seen.sort(key=float)
    return seen


def panels(rows, columns):
    """Groups rows by the values of `columns` (one panel per combination)."""
    groups = {}  # no columns: one panel with every row
    for r in rows:
        groups.setdefault(", ".join(f"{short(c)}={r[c]}" for c in columns), []).append(r)
    return list(groups.items())


def finish(plt, fig, directory, name, subject, handles=None, legend_title=None):
    """Title (what the figure shows + the sweep's setup) above, legend right of the axes where
    it hides no curve, then PNG and SVG."""
    fig.tight_layout()
    text = subject + "\n" + textwrap.fill(DESCRIPTION, max(40, int(fig.get_figwidth() * 15)))
    fig.suptitle(text, y=1.0, va="bottom", fontsize=10)
    if handles:
        fig.legend(handles, [h.get_label() for h in handles], loc="upper left",
                   bbox_to_anchor=(1.0, 0.95), fontsize=8, title=legend_title,
                   title_fontsize=8, frameon=False)
    os.makedirs(os.path.join(directory, "plots"), exist_ok=True)
    base = os.path.join(directory, "plots", name.replace("×", "_x_"))  # ASCII file names
    fig.savefig(base + ".png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    fig.savefig(base + ".svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    print(f"plot: {base}.png / .svg")


def style(k):
    return dict(marker=MARKERS[k % len(MARKERS)], linestyle=DASHES[k % len(DASHES)],
                markersize=max(4.0, 9.0 - 1.2 * k), markerfacecolor="none", color=f"C{k % 10}")


def curve_plot(plt, directory, rows, x, group, metric):
    """metric vs x, one curve per value of `group`, 95% CI bands; one panel per other axis."""
    from matplotlib.patches import Patch
    others = [c for c in COLUMNS if c not in (x, group)]
    parts = panels(rows, others)
    cols, nrows = min(3, len(parts)), math.ceil(len(parts) / 3)
    fig, axes = plt.subplots(nrows, cols, figsize=(5 * cols, 3.6 * nrows), squeeze=False)
    # Layers are names (or indices that only name a layer): categorical, in sweep order.
    numeric_x = is_numeric(rows, x) and x != LAYER
    categories = ordered_values(rows, x)
    xscale = 100.0 if is_rate(x) else 1.0
    ylabel, yscale = metric_label(metric)
    # One style per group value across every panel, so a scheme looks the same everywhere.
    groups = ordered_values(rows, group) if group else [None]
    handles, banded = {}, False
    for ax, (title, part) in zip(axes.flat, parts):
        for k, g in enumerate(groups):
            sel = [r for r in part if group is None or r[group] == g]
            if not sel:
                continue
            sel.sort(key=lambda r: float(r[x]) if numeric_x else categories.index(r[x]))
            xs = [float(r[x]) * xscale if numeric_x else categories.index(r[x]) for r in sel]
            mean, lo, hi = ([stat(r, metric, s) * yscale for r in sel]
                            for s in ("mean", "ci95_lo", "ci95_hi"))
            # The t interval of a few trials overshoots what a metric can be (accuracy -80 %).
            floor, ceil = (-math.inf, math.inf) if metric == "accuracy_drop" else (0.0, (
                100.0 if yscale == 100.0 else math.inf))
            lo, hi = [max(v, floor) for v in lo], [min(v, ceil) for v in hi]
            line, = ax.plot(xs, mean, label=g if g is not None else "mean", **style(k))
            handles.setdefault(line.get_label(), line)
            if not all(math.isnan(v) for v in lo):
                ax.fill_between(xs, lo, hi, alpha=0.15, color=line.get_color(), linewidth=0)
                banded = True
        ax.set(xlabel=axis_label(x), ylabel=ylabel)
        ax.set_title(title, fontsize=9)
        ax.grid(True, alpha=0.3)
        if not numeric_x:
            slant = max(len(c) for c in categories) > 8  # long names (layers) would overlap
            ax.set_xticks(range(len(categories)), categories, rotation=45 if slant else 0,
                          ha="right" if slant else "center")
    for ax in list(axes.flat)[len(parts):]:
        ax.set_visible(False)
    legend = (list(handles.values()) if group or banded else []) + \
        ([Patch(facecolor="0.5", alpha=0.3, label="95% CI of the mean")] if banded else [])
    finish(plt, fig, directory, f"{metric}_vs_{short(x)}",
           f"{ylabel.rsplit(' (', 1)[0]} vs. {axis_label(x).rsplit(' (', 1)[0]}",
           legend, short(group) if group else None)


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
                   label=g or which, color=f"C{k % 10}")
        ax.set_xticks(shown, [f"$2^{{{b}}}$" for b in shown])
        ax.set(yscale="log", ylabel="weights (mean over maps)",
               xlabel="deviation |decoded − quantized| (LSB); bin $2^b$ holds [$2^b$, $2^{b+1}$)")
        ax.set_title(title, fontsize=9)
        ax.grid(True, axis="y", alpha=0.3)
        handles = ax.get_legend_handles_labels()[0] if group else []
        finish(plt, fig, directory, f"{which}_{index}",
               f"weights per deviation bin, {which.rsplit('_', 1)[-1]} encoding", handles,
               short(group) if group else None)


def detection_plot(plt, directory, x):
    """000 Figs. 1-2: detection accuracy, TPR and FPR vs. the fault rate, one curve per strategy,
    one row of panels per combination of the other axes."""
    from matplotlib.patches import Patch
    with open(os.path.join(directory, "detection.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    others = [c for c in COLUMNS if c != x]
    for c in [c for c in others if c in ZIPPED]:  # detection.csv has zipped keys one by one
        for r in rows:
            r[c] = ZIPPED[c]["sep"].join(r[m] for m in ZIPPED[c]["members"])
    parts = panels(rows, others)
    strategies = ordered_values(rows, "strategy")
    fig, axes = plt.subplots(len(parts), 3, figsize=(15, 3.8 * len(parts)), squeeze=False)
    panes = [("accuracy", "detection accuracy, (TP+TN)/maps (%)"),
             ("tpr", "TPR: harmful maps detected (%)"), ("fpr", "FPR: harmless maps flagged (%)")]
    for row_axes, (title, part) in zip(axes, parts):
        for ax, (what, label) in zip(row_axes, panes):
            for k, strategy in enumerate(strategies):
                sel = sorted((r for r in part if r["strategy"] == strategy),
                             key=lambda r: float(r[x]))
                xs = [100.0 * float(r[x]) for r in sel]
                ys, lo, hi = ([100.0 * stat(r, what, s) for r in sel] for s in ("", "lo", "hi"))
                line, = ax.plot(xs, ys, label=strategy, **style(k))
                ax.fill_between(xs, lo, hi, alpha=0.12, color=line.get_color(), linewidth=0)
            ax.set(xscale="log", xlabel=axis_label(x), ylabel=label, ylim=(-2, 102))
            ax.set_title(title, fontsize=9)
            ax.grid(True, alpha=0.3)
    handles = axes[0, 0].get_legend_handles_labels()[0]
    handles.append(Patch(facecolor="0.5", alpha=0.3, label="95% Wilson interval"))
    finish(plt, fig, directory, f"detection_vs_{short(x)}",
           f"self-test detection vs. {axis_label(x).rsplit(' (', 1)[0]}", handles, "strategy")


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
    with open(os.path.join(directory, "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(directory, "aggregate.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    global COLUMNS, METRICS, ROWS, DESCRIPTION
    METRICS, ROWS = summary["metrics"], rows
    if not rows:
        print("plot: no points", file=sys.stderr)
        return 2
    DESCRIPTION = describe(directory, summary, summary["columns"])
    COLUMNS = merge_zipped(rows, summary["columns"])
    detection = os.path.exists(os.path.join(directory, "detection.csv"))
    scalar = [m for m in METRICS if not m.startswith(HISTOGRAMS)
              and not (detection and (m == "harmful" or m.startswith("detected_")))]
    drawn = False
    rates = [c for c in COLUMNS if is_rate(c) and is_numeric(rows, c)]
    for x in rates if detection else []:  # 000 Figs. 1, 2
        detection_plot(plt, directory, x)
    # 001 Fig. 8 (vs. a rate), 003 Figs. 6, 7, 9 (vs. bit, layer): one curve per scheme.
    for x in rates + [c for c in (BIT, LAYER) if c in COLUMNS]:
        group = SCHEME if SCHEME in COLUMNS else next((c for c in COLUMNS if c != x), None)
        for m in scalar:
            curve_plot(plt, directory, rows, x, group, m)
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
            curve_plot(plt, directory, rows, x, group, m)
    if not COLUMNS:
        print("plot: the sweep has no axes; nothing to plot against", file=sys.stderr)
    return 0


COLUMNS, METRICS, ROWS, DESCRIPTION = [], [], [], ""
ZIPPED = {}  # merged column -> {"name": short name, "label": x label, "members", "sep"}

if __name__ == "__main__":
    sys.exit(main())
