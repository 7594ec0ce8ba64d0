#!/usr/bin/python3
"""Figure of a finished `safsim lifetime` directory: DIR/plots/lifetime.png and .svg.

    /usr/bin/python3 scripts/plot_lifetime.py out/selftest_lifetime

Reads DIR/timeline.csv and DIR/summary.json; draws accuracy (%) over age (h) with the harmful
line at fault-free accuracy minus theta, the self-test flags as markers, the heals (and the
accuracy right after them) and the stuck cells on a second axis. The title names the model,
weight bits, evaluation images, the one fault history (seed) and the self-tests.
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
    plt.rcParams["svg.hashsalt"] = "safsim"  # stable SVG ids: reruns give identical files
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
    # Small markers: every evaluation is a point, so a flat stretch still shows its samples.
    ax.plot(hours, acc, color="tab:blue", marker=".", markersize=4,
            label=f"accuracy on the {summary['images']} evaluation images")
    base = 100.0 * summary["fault_free_accuracy"]
    theta = summary["harmful_drop_points"]
    ax.axhline(base - theta, color="tab:red", linestyle=":",
               label=f"harmful at or below: fault-free {base:.1f} % − {theta:g} points")
    flag_h = [h for h, r in zip(hours, rows) if r["flag"] == "1"]
    flag_a = [a for a, r in zip(acc, rows) if r["flag"] == "1"]
    ax.scatter(flag_h, flag_a, marker="v", color="tab:red", zorder=3, label="self-test flag")
    heal_h = [h for h, r in zip(hours, rows) if r["healed"] == "1"]
    heal_a = [100.0 * float(r["accuracy_after_heal"]) for r in rows if r["healed"] == "1"]
    if heal_h:
        # Hollow: a heal that restores the flagged accuracy leaves the flag marker visible.
        ax.scatter(heal_h, heal_a, marker="^", facecolors="none", edgecolors="tab:green",
                   zorder=4, label="after March + re-encode")
    ax.set_xlabel("age (h)")
    ax.set_ylabel("accuracy (%)")
    ax2 = ax.twinx()
    ax2.plot(hours, [int(r["defective_cells"]) for r in rows], color="tab:gray", alpha=0.5,
             label="stuck cells (right axis)")
    ax2.set_ylabel("stuck cells (cells)")
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    # Below the axes, where it hides no curve or marker.
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="upper center",
              bbox_to_anchor=(0.5, -0.14), ncol=3, fontsize=8, frameon=False)
    # What one figure is: one fault history (one seed) checked by periodic self-tests.
    test_images = summary.get("overhead", {}).get("test_images", "?")
    ax.set_title(
        f"Lifetime: {summary['flags']} self-test flags ({summary['false_alarms']} false alarms), "
        f"{summary['heals']} heals, harmful episodes: {summary['harmful_episodes']}\n"
        f"{summary['model']}, {summary['weight_bits']}-bit weights, {summary['images']} evaluation "
        f"images, 1 fault history (seed {summary['seed']}, {summary['hours']:g} h); "
        f"{summary['tests']} tests of {test_images} images, one every "
        f"{summary['period_inferences']:,} inferences ({summary['period_hours']:g} h)", fontsize=9)
    out = os.path.join(directory, "plots")
    os.makedirs(out, exist_ok=True)
    base_path = os.path.join(out, "lifetime")
    # bbox_inches="tight": the legend below the axes is part of the picture.
    fig.savefig(base_path + ".png", dpi=120, bbox_inches="tight", metadata={"Software": None})
    fig.savefig(base_path + ".svg", bbox_inches="tight", metadata={"Date": None})
    print(f"plot: {os.path.join(out, 'lifetime.png')}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
