#!/usr/bin/python3
"""Runs ONNX's backend node tests (Debian package libonnx-testdata) through `safsim onnx-check`.

    scripts/onnx_conformance.py build/safsim [--report FILE]

A node test is selected when every node's op is one `safsim onnx-check --list-ops` prints and
its tensors have the ranks safsim models have: the first runtime graph input is N x C x H x W
(or N x K in a test with a Gemm or MatMul node) and every graph output is N x C x H x W or
N x K. Every test_data_set_* of a selected test is run. A test fails when onnx-check finds a
numerical mismatch (exit 1) or breaks (any other code); it is unsupported when onnx-check refuses
it (exit 2), which is expected only for the tests listed, with their reasons, in
tests/inputs/onnx_conformance_unsupported.txt. A listed test that now passes must be removed,
so that the list only shrinks.

Exit: 0 all selected tests pass or are listed as unsupported; 1 otherwise; 77 (ctest's skip
code) without the test data or the onnx Python module (apt-get install libonnx-testdata
python3-onnx).
"""
import argparse
import glob
import os
import re
import subprocess
import sys

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = "/usr/share/libonnx-testdata/data/node"
DEFAULT_EXPECTED = os.path.join(HERE, "..", "tests", "inputs", "onnx_conformance_unsupported.txt")
LINEAR_OPS = {"Gemm", "MatMul"}
TIMEOUT_S = 120


def natural_key(path):
    """input_10.pb after input_9.pb."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path)]


def rank(value_info):
    t = value_info.type
    if not t.HasField("tensor_type") or not t.tensor_type.HasField("shape"):
        return None
    return len(t.tensor_type.shape.dim)


def selection(model, supported_ops):
    """(ops all supported, tensors of supported ranks) for one node test's model."""
    ops = {n.op_type for n in model.graph.node}
    if not ops or not ops <= supported_ops:
        return False, False
    inits = {t.name for t in model.graph.initializer}
    runtime = [i for i in model.graph.input if i.name not in inits]
    image_ranks = {4, 2} if ops & LINEAR_OPS else {4}
    ranks_ok = (bool(runtime) and rank(runtime[0]) in image_ranks and
                all(rank(o) in (4, 2) for o in model.graph.output))
    return True, ranks_ok


def read_expected(path):
    """{test name: reason} from the expectations file (`name  reason`, # comments)."""
    listed = {}
    if not os.path.exists(path):
        return listed
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                name, _, reason = line.partition(" ")
                listed[name] = reason.strip()
    return listed


def short_message(text, test_dir):
    """The error without the "error: " prefix and the test's own directory in paths."""
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    msg = lines[-1] if lines else "(no message)"
    msg = msg[len("error: "):] if msg.startswith("error: ") else msg
    return msg.replace(test_dir + "/", "")


def run_data_set(safsim, model_path, data_set, test_dir):
    """(result, detail) of one test_data_set: pass, fail or unsupported."""
    inputs = sorted(glob.glob(os.path.join(data_set, "input_*.pb")), key=natural_key)
    outputs = sorted(glob.glob(os.path.join(data_set, "output_*.pb")), key=natural_key)
    cmd = [safsim, "onnx-check", model_path, "--inputs", *inputs, "--expect", *outputs]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return "fail", f"timed out after {TIMEOUT_S} s"
    if p.returncode == 0:
        m = re.search(r"max abs error \S+, max rel error \S+", p.stdout)
        return "pass", m.group(0) if m else ""
    if p.returncode == 1:
        return "fail", short_message(p.stdout + p.stderr, test_dir).split("MISMATCH: ", 1)[-1]
    if p.returncode == 2:
        return "unsupported", short_message(p.stderr, test_dir)
    return "fail", f"exit code {p.returncode}: {short_message(p.stdout + p.stderr, test_dir)}"


def run_test(safsim, test_dir):
    """The worst result over the test's data sets: fail, then unsupported, then pass."""
    model_path = os.path.join(test_dir, "model.onnx")
    data_sets = sorted(glob.glob(os.path.join(test_dir, "test_data_set_*")), key=natural_key)
    if not data_sets:
        return "unsupported", "the test has no test_data_set_* directory"
    results = [run_data_set(safsim, model_path, d, test_dir) for d in data_sets]
    for kind in ("fail", "unsupported"):
        for (result, detail), d in zip(results, data_sets):
            if result == kind:
                where = f"{os.path.basename(d)}: " if len(data_sets) > 1 else ""
                return kind, where + detail
    details = "; ".join(detail for _, detail in results)
    return "pass", (f"{len(data_sets)} data sets: " if len(data_sets) > 1 else "") + details


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("safsim", help="the safsim binary")
    ap.add_argument("--report", help="also write the table and totals to this file (Markdown)")
    ap.add_argument("--data", default=DEFAULT_DATA, help="directory of the node tests")
    ap.add_argument("--expected", default=DEFAULT_EXPECTED,
                    help="tests expected to be unsupported, one `name reason` a line")
    args = ap.parse_args()

    try:
        import onnx
    except ImportError:
        print("SKIP: this Python has no onnx module (apt-get install python3-onnx)")
        return SKIP
    test_dirs = sorted(d for d in glob.glob(os.path.join(args.data, "test_*"))
                       if os.path.isfile(os.path.join(d, "model.onnx")))
    if not test_dirs:
        print(f"SKIP: no node tests in {args.data} (apt-get install libonnx-testdata)")
        return SKIP
    listed = read_expected(args.expected)
    ops = subprocess.run([args.safsim, "onnx-check", "--list-ops"], capture_output=True,
                         text=True, check=True).stdout.split()
    supported_ops = set(ops)

    rows = []  # (test, result, detail, problem for the exit code or "")
    ops_supported = 0
    for test_dir in test_dirs:
        name = os.path.basename(test_dir)
        try:
            model = onnx.load(os.path.join(test_dir, "model.onnx"))
        except Exception as e:  # a package model onnx itself cannot read is not ours to test
            print(f"note: {name}: onnx cannot load its model: {e}", file=sys.stderr)
            continue
        all_ops, ranks_ok = selection(model, supported_ops)
        ops_supported += all_ops
        if not (all_ops and ranks_ok):
            continue
        result, detail = run_test(args.safsim, test_dir)
        problem = ""
        if result == "fail":
            problem = "numerical failure"
        elif result == "unsupported" and name not in listed:
            problem = f"unsupported but not listed in {os.path.basename(args.expected)}"
        elif result == "pass" and name in listed:
            problem = f"passes now: remove it from {os.path.basename(args.expected)}"
        rows.append((name, result, detail, problem))

    count = {k: sum(r[1] == k for r in rows) for k in ("pass", "fail", "unsupported")}
    lines = ["| test | result | detail |", "|---|---|---|"]
    for name, result, detail, problem in rows:
        shown = (detail + (f" **({problem})**" if problem else "")).replace("|", "\\|")
        lines.append(f"| {name} | {result} | {shown} |")
    lines.append("")
    lines.append(f"node tests in the package: {len(test_dirs)}")
    lines.append(f"tests whose ops are all supported: {ops_supported}")
    lines.append(f"tests run (ops supported, 4-D or 2-D tensors): {len(rows)}")
    lines.append(f"passed: {count['pass']}")
    lines.append(f"failed: {count['fail']}")
    lines.append(f"unsupported: {count['unsupported']}")
    reasons = {}
    for name, result, detail, _ in rows:
        if result == "unsupported":
            reasons.setdefault(unsupported_kind(detail), []).append(name)
    for kind, names in sorted(reasons.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lines.append(f"  {len(names)} x {kind}")
    stale = sorted(set(listed) - {r[0] for r in rows})
    for name in stale:
        lines.append(f"note: {name} is listed as unsupported but was not run")
    problems = [r for r in rows if r[3]]
    for name, _, _, problem in problems:
        lines.append(f"PROBLEM: {name}: {problem}")
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.report:
        os.makedirs(os.path.dirname(os.path.abspath(args.report)), exist_ok=True)
        with open(args.report, "w") as f:
            f.write(text)
    return 1 if problems else 0


def unsupported_kind(detail):
    """The message with its specifics (names, numbers) blanked, to group the reasons."""
    msg = re.sub(r"^test_data_set_\d+: ", "", detail)
    msg = re.sub(r"^(model\.onnx|test_data_set_\d+/\w+\.pb): ", "", msg)
    msg = re.sub(r"node '[^']*' ", "", msg)
    msg = re.sub(r" \(onnx-check passed input\(s\) [^)]*\)", "", msg)
    msg = re.sub(r"; supported ops: .*", "", msg)
    msg = re.sub(r"'[^']*'", "'…'", msg)
    msg = re.sub(r"\d+(x\d+)+", "#x#", msg)  # a C x H x W shape
    msg = re.sub(r"(?<![\w.])-?\d+(\.\d+)?(e-?\d+)?(?![\w.])", "#", msg)
    return msg.strip()


if __name__ == "__main__":
    sys.exit(main())
