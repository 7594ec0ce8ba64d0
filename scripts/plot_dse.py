#!/usr/bin/python3
"""Figure of a finished dataflow design-space sweep (configs/sweeps/dse_dataflow.yaml):
DIR/plots/dse.png and .svg.

    /usr/bin/python3 scripts/plot_dse.py out/sweeps/dse_dataflow

Reads DIR/results.csv (one trial per point: the figures are data-independent). One row of panels
per model, one column per figure: cycles per image, PE utilization (%), energy per image (uJ),
NVM word reads per image; x = the array (R x C PEs), one curve per dataflow. The title names the
sweep, weight bits, images per point and engine (from summary.json and sweep.resolved.yaml).
Exit code 3 (and a hint) when matplotlib is missing.
"""
import csv
import json
import os
import sys

PANELS = [
    ("cycles_per_image", "cycles per image", 1.0, True),
    ("utilization", "PE utilization (%)", 100.0, False),
    ("energy_uj_per_image", "energy per image (µJ)", 1.0, False),
    ("nvm_reads_per_image", "NVM word reads per image", 1.0, True),
]
STYLE = {"ws": ("tab:blue", "o", "-"), "os": ("tab:orange", "s", "--"),
         "is": ("tab:green", "^", ":")}


def resolved_value(text, key):
    """The first `key: value` of sweep.resolved.yaml (a flat look-up is enough for the title)."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(key + ":"):
            return stripped.split(":", 1)[1].strip()
    return "?"


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
    with open(os.path.join(directory, "results.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        print("plot: results.csv is empty", file=sys.stderr)
        return 1
    with open(os.path.join(directory, "summary.json")) as f:
        summary = json.load(f)
    resolved = open(os.path.join(directory, "sweep.resolved.yaml")).read()
    models = sorted({r["workload.model"] for r in rows}, key=lambda m: (m != "lenet5", m))
    dataflows = [d for d in ("ws", "os", "is") if any(r["accelerator.dataflow"] == d for r in rows)]
    arrays = sorted({(int(r["accelerator.array.rows"]), int(r["accelerator.array.cols"]))
                     for r in rows})
    fig, axes = plt.subplots(len(models), len(PANELS), figsize=(4.2 * len(PANELS) + 1.5,
                                                               3.4 * len(models)), squeeze=False)
    for i, model in enumerate(models):
        for j, (metric, label, scale, log) in enumerate(PANELS):
            ax = axes[i][j]
            for d in dataflows:
                points = {(int(r["accelerator.array.rows"]), int(r["accelerator.array.cols"])):
                          float(r[metric]) * scale for r in rows
                          if r["workload.model"] == model and r["accelerator.dataflow"] == d}
                xs = [k for k, a in enumerate(arrays) if a in points]
                color, marker, dash = STYLE[d]
                ax.plot(xs, [points[arrays[k]] for k in xs], color=color, marker=marker,
                        linestyle=dash, markerfacecolor="none", label=d)
            ax.set_xticks(range(len(arrays)))
            ax.set_xticklabels([f"{r}×{c}" for r, c in arrays])
            ax.set_xlabel("array rows×cols (PEs)")
            ax.set_ylabel(label)
            if log:
                ax.set_yscale("log")
            ax.set_title(model, fontsize=10)
            ax.grid(True, alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, [f"{l} ({ {'ws': 'weight', 'os': 'output', 'is': 'input'}[l]}-stationary)"
                         for l in labels], loc="center right", title="dataflow")
    bits = resolved_value(resolved, "weight_bits")
    images = resolved_value(resolved, "images")
    fig.suptitle(f"Dataflow design space: cycles, utilization, energy and NVM reads per image — "
                 f"sweep {summary.get('name', '?')}, {bits}-bit weights, {images} image per point, "
                 f"cycle engine, real memories")
    fig.tight_layout(rect=(0, 0, 0.86, 0.94))
    out = os.path.join(directory, "plots")
    os.makedirs(out, exist_ok=True)
    for ext in ("png", "svg"):
        fig.savefig(os.path.join(out, f"dse.{ext}"), dpi=110)
    print(f"wrote {out}/dse.png, dse.svg")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
