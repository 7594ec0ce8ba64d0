#!/usr/bin/python3
"""Figure of a finished `safsim lifetime` directory: DIR/plots/lifetime.png and .svg.

    /usr/bin/python3 scripts/plot_lifetime.py out/selftest_lifetime

Reads DIR/timeline.csv and DIR/summary.json; draws accuracy over time (with the harmful line
at fault-free accuracy minus theta), the self-test flags as markers, the heals (and the
accuracy right after them) and the stuck cells on a second axis.
Exit code 3 (and a hint) when matplotlib is missing: `safsim lifetime` never fails for it.
"""
import csv
import json
import os
import sys


def main(directory):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("plot: matplotlib is missing; install it with "
              "`apt-get install python3-matplotlib`", file=sys.stderr)
        return 3
    with open(os.path.join(directory, "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(directory, "timeline.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        print("plot: timeline.csv is empty", file=sys.stderr)
        return 1
    hours = [float(r["hours"]) for r in rows]
    acc = [100.0 * float(r["accuracy"]) for r in rows]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot(hours, acc, color="tab:blue", label="accuracy (eval images)")
    base = 100.0 * summary["fault_free_accuracy"]
    theta = summary["harmful_drop_points"]
    ax.axhline(base - theta, color="tab:red", linestyle=":", label=f"harmful: drop >= {theta:g} pts")
    flag_h = [h for h, r in zip(hours, rows) if r["flag"] == "1"]
    flag_a = [a for a, r in zip(acc, rows) if r["flag"] == "1"]
    ax.scatter(flag_h, flag_a, marker="v", color="tab:red", zorder=3, label="self-test flag")
    heal_h = [h for h, r in zip(hours, rows) if r["healed"] == "1"]
    heal_a = [100.0 * float(r["accuracy_after_heal"]) for r in rows if r["healed"] == "1"]
    if heal_h:
        ax.scatter(heal_h, heal_a, marker="^", color="tab:green", zorder=3,
                   label="after March + re-encode")
    ax.set_xlabel("age (hours)")
    ax.set_ylabel("accuracy (%)")
    ax2 = ax.twinx()
    ax2.plot(hours, [int(r["defective_cells"]) for r in rows], color="tab:gray", alpha=0.5,
             label="stuck cells")
    ax2.set_ylabel("stuck cells")
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="lower left", fontsize=8)
    ax.set_title(f"{summary['model']}: self-test every {summary['period_inferences']} inferences, "
                 f"{summary['flags']} flags, {summary['false_alarms']} false alarms")
    out = os.path.join(directory, "plots")
    os.makedirs(out, exist_ok=True)
    fig.tight_layout()
    base_path = os.path.join(out, "lifetime")
    fig.savefig(base_path + ".png", dpi=120, metadata={"Software": None})
    fig.savefig(base_path + ".svg", metadata={"Date": None})
    print(f"plot: {os.path.join(out, 'lifetime.png')}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
