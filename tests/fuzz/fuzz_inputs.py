#!/usr/bin/python3
"""Seeded mutation fuzz test of safsim's inputs (issue 16; docs/limits.md).

Mutates valid seed inputs (seeds.py: configs, sweep files, ONNX models, IDX, CIFAR-10 and .npz
datasets, a defect map, test sets) with byte flips, truncations, insertions and numeric edge
values (mutations.py) and runs the real safsim binary on each. Every run must end with exit
code 0, or 2 with an "error:" message: never a signal, exit 1, more than --timeout seconds or
more than --max-mb of address space (RLIMIT_AS; an allocation refused at that limit counts as
a failure too). Case i of seed S is the same input on every machine and every run.

  fuzz_inputs.py SAFSIM SOURCE_DIR [--seed 1] [--cases 160] [--jobs 2] [--keep DIR]
  fuzz_inputs.py SAFSIM SOURCE_DIR --seed 1 --case 37     # rerun one case, keep its input

A failure prints the seed, the case, the mutation, the command and where its input was kept;
rerunning it with --case regenerates the same input and keeps the data the command reads."""

import argparse
import concurrent.futures
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seeds  # noqa: E402


def pick_seed(rng, all_seeds):
    return rng.choices(all_seeds, weights=[s.weight for s in all_seeds])[0]


def materialize(s, data, case_dir, work, src):
    """A copy of seed `s`'s directory at `case_dir` holding `data` as its file; the argv."""
    shutil.copytree(s.directory, case_dir, ignore=shutil.ignore_patterns("out"))
    with open(os.path.join(case_dir, s.mutate_file), "wb") as f:
        f.write(seeds.fill_paths(data, work, src))
    argv = [a.replace("{dir}", case_dir) for a in s.argv]
    if "--out" not in argv:
        argv += ["--out", os.path.join(case_dir, "out")]
    return argv


def make_case(seed, index, all_seeds, work, src):
    """Case `index`: a copy of one seed's directory with its file mutated. Returns (seed,
    description, case directory, argv)."""
    rng = random.Random(seed * 1_000_003 + index)
    s = pick_seed(rng, all_seeds)
    with open(os.path.join(s.directory, s.mutate_file), "rb") as f:
        data = f.read()
    how, data = s.mutate(rng, data)
    if rng.random() < 0.25:  # a second mutation on top
        how2, data = s.mutate(rng, data)
        how = f"{how} + {how2}"
    case_dir = os.path.join(work, f"case{index}")
    return s, how, case_dir, materialize(s, data, case_dir, work, src)


def run(safsim, argv, timeout_s, max_mb):
    """(exit code or -signal, seconds, max RSS in MB, stderr, timed out)."""

    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (max_mb << 20, max_mb << 20))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    start = time.monotonic()
    err = tempfile.TemporaryFile()
    p = subprocess.Popen([safsim] + argv, stdout=subprocess.DEVNULL, stderr=err,
                         stdin=subprocess.DEVNULL, preexec_fn=limits, start_new_session=True,
                         env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1"))
    timed_out = threading.Event()

    def kill():
        timed_out.set()
        os.killpg(p.pid, signal.SIGKILL)

    timer = threading.Timer(timeout_s, kill)
    timer.start()
    _, status, usage = os.wait4(p.pid, 0)
    timer.cancel()
    p.returncode = 0  # reaped above; keeps Popen from waiting again
    seconds = time.monotonic() - start
    err.seek(0)
    stderr = err.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    return code, seconds, usage.ru_maxrss / 1024, stderr, timed_out.is_set()


def verdict(code, stderr, timed_out):
    """None when the outcome is allowed, else what is wrong."""
    if timed_out:
        return "timed out"
    if code < 0:
        return f"killed by signal {-code}"
    if code == 2:
        if "error" not in stderr:
            return "exit 2 without an error message"
        if "out of memory" in stderr or "bad_alloc" in stderr:
            return "ran out of the address-space limit"
        return None
    if code == 0:
        return None
    return f"exit code {code}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("safsim")
    ap.add_argument("source_dir")
    ap.add_argument("--seed", type=int, default=int(os.environ.get("SAFSIM_FUZZ_SEED", 1)))
    ap.add_argument("--cases", type=int, default=int(os.environ.get("SAFSIM_FUZZ_CASES", 400)))
    ap.add_argument("--case", type=int, help="run this case only")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds a run may take")
    ap.add_argument("--max-mb", type=int, default=2048, help="address space a run may use")
    ap.add_argument("--verbose", action="store_true", help="print every case's outcome")
    ap.add_argument("--keep", default="fuzz_failures",
                    help="directory the inputs of failing cases are copied to")
    a = ap.parse_args()
    safsim = os.path.abspath(a.safsim)
    src = os.path.abspath(a.source_dir)
    keep = os.path.abspath(a.keep)
    print(f"fuzz: seed {a.seed}, " + (f"case {a.case}" if a.case is not None else
                                      f"{a.cases} cases") + f", {a.jobs} jobs", flush=True)
    start = time.monotonic()
    work = tempfile.mkdtemp(prefix="safsim_fuzz_")
    try:
        all_seeds = seeds.build(safsim, src, work)
        # The seeds themselves must run (exit 0): else every case would test one refusal.
        for k, s in enumerate(all_seeds):
            with open(os.path.join(s.directory, s.mutate_file), "rb") as f:
                argv = materialize(s, f.read(), os.path.join(work, f"seed{k}"), work, src)
            code, _, _, stderr, _ = run(safsim, argv, a.timeout, a.max_mb)
            if code != 0:
                print(f"FAIL: seed input {s.name} does not run (exit {code}): "
                      f"{' '.join([safsim] + argv)}\n{stderr}")
                return 1
        indices = [a.case] if a.case is not None else range(a.cases)
        cases = [make_case(a.seed, i, all_seeds, work, src) for i in indices]

        def one(case):
            s, argv = case[0], case[3]
            if s.plan_limit is not None:
                planned = run(safsim, argv + ["--dry-run"], a.timeout, a.max_mb)
                m = re.search(r"size: (\d+) trials", planned[3])
                if planned[0] != 0 or not m or int(m.group(1)) > s.plan_limit:
                    return planned
            return run(safsim, argv, a.timeout, a.max_mb)

        failures, outcomes, slowest = 0, {}, (0.0, None)
        with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
            for i, case, result in zip(indices, cases, pool.map(one, cases)):
                s, how, case_dir, argv = case
                code, seconds, rss_mb, stderr, timed_out = result
                outcomes[code] = outcomes.get(code, 0) + 1
                slowest = max(slowest, (seconds, i))
                problem = verdict(code, stderr, timed_out)
                if a.verbose:
                    first = next((l for l in stderr.splitlines() if "error" in l), "")
                    print(f"case {i}: {s.name}, {how}: exit {code} {seconds:.2f} s: {first}")
                if problem is None and a.case is None:
                    shutil.rmtree(case_dir, ignore_errors=True)
                    continue
                kept = os.path.join(keep, f"seed{a.seed}_case{i}")
                shutil.rmtree(kept, ignore_errors=True)
                shutil.copytree(case_dir, kept, ignore=shutil.ignore_patterns("out"))
                cmd = " ".join([safsim] + argv).replace(case_dir, kept)
                tail = "\n    ".join(stderr.strip().splitlines()[-6:])
                label = "FAIL" if problem else "ok"
                if problem:
                    failures += 1
                print(f"{label}: seed {a.seed} case {i}: {s.name}, {how}: "
                      f"{problem or f'exit {code}'} ({seconds:.1f} s, {rss_mb:.0f} MB)\n"
                      f"  input: {os.path.join(kept, s.mutate_file)}\n  command: {cmd}\n"
                      f"  rerun: {sys.argv[0]} {a.safsim} {a.source_dir} --seed {a.seed} "
                      f"--case {i}\n  stderr:\n    {tail}", flush=True)
    finally:
        # A single case keeps the work directory: its command refers to the seeds' data there.
        if a.case is None:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"fuzz: work directory (the data the command reads) kept: {work}")
    counts = ", ".join(f"exit {c}: {n}" for c, n in sorted(outcomes.items()))
    print(f"fuzz: seed {a.seed}: {len(cases)} cases ({counts}), {failures} failure(s), "
          f"{time.monotonic() - start:.1f} s; slowest case {slowest[1]} ({slowest[0]:.1f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
