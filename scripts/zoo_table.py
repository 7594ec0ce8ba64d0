#!/usr/bin/python3
"""Measures every zoo model with `safsim eval` (all 10,000 test images) as fp32, int16, int8 and
int4 weights (8-bit activations) and prints the Markdown table of docs/zoo.md.

Usage: scripts/zoo_table.py [--safsim build/safsim] [--models lenet5,resnet20]
"""
import argparse
import json
import pathlib
import re
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
FORMATS = [("fp32", ["quant.weight_format=fp32"]),
           ("int16", ["quant.weight_bits=16"]),
           ("int8", ["quant.weight_bits=8"]),
           ("int4", ["quant.weight_bits=4"])]


def zoo_entries():
    """(name, PyTorch fp32 accuracy) from workloads/zoo/zoo.yaml, in file order; models trained
    on other data than Fashion-MNIST (a `dataset:` key, docs/zoo.md) are measured on it there."""
    text = (ROOT / "workloads/zoo/zoo.yaml").read_text()
    entries = []
    for block in re.split(r"^\s*- name:", text, flags=re.M)[1:]:
        if re.search(r"^\s*dataset:", block, re.M):
            continue
        name = re.match(r"\s*\"?([\w]+)\"?", block).group(1)
        acc = re.search(r"^\s*fp32_test_accuracy:\s*([0-9.]+)", block, re.M).group(1)
        entries.append((name, float(acc)))
    return entries


def evaluate(safsim, model, sets):
    with tempfile.TemporaryDirectory() as out:
        cmd = [safsim, "eval", "--set", f"workload.model={model}", "--out", out]
        for s in sets:
            cmd += ["--set", s]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        return json.loads((pathlib.Path(out) / "summary.json").read_text())["accuracy"]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--safsim", default=str(ROOT / "build/safsim"))
    ap.add_argument("--models", default="")
    args = ap.parse_args()
    wanted = set(filter(None, args.models.split(",")))
    print("| model | PyTorch fp32 | " + " | ".join(f for f, _ in FORMATS) + " | int8 - fp32 |")
    print("|---|---|" + "---|" * len(FORMATS) + "---|")
    for name, torch_acc in zoo_entries():
        if wanted and name not in wanted:
            continue
        accs = {f: evaluate(args.safsim, name, sets) for f, sets in FORMATS}
        cells = " | ".join(f"{100 * accs[f]:.2f}%" for f, _ in FORMATS)
        drop = 100 * (accs["int8"] - accs["fp32"])
        print(f"| `{name}` | {100 * torch_acc:.2f}% | {cells} | {drop:+.2f} |", flush=True)


if __name__ == "__main__":
    main()
