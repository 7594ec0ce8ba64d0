#!/usr/bin/python3
"""Value changes and bytes per signal class of a VCD written by `safsim run --trace`: the
measurements behind the trace-size estimate (hw_models/trace_estimate.cpp, docs/traces.md).

Usage: scripts/vcd_stats.py OUT/trace.vcd

A class is a signal's leaf name with the PE's row and column left out, so the 256 PEs of a
16x16 array give one row per register ("pe.psum"). Prints, per class, how many signals it has,
their value changes per signal and cycle, and the mean bytes of one change; then the header
and time-stamp bytes, the last time stamp and the cycles (two clock edges a cycle).
"""
import collections
import re
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    ids = {}  # VCD id -> class
    scope = []
    changes = collections.Counter()
    nbytes = collections.Counter()
    header = stamp_bytes = stamps = 0
    last = None
    in_header = True
    with open(sys.argv[1], "rb") as f:
        for raw in f:
            line = raw.decode()
            if in_header:
                header += len(raw)
                p = line.split()
                if p[:1] == ["$scope"]:
                    scope.append(p[2])
                elif p[:1] == ["$upscope"]:
                    scope.pop()
                elif p[:1] == ["$var"]:
                    owner = re.sub(r"pe_\d+_\d+", "pe", scope[-1]) if scope else ""
                    ids[p[3]] = f"{owner}.{p[4]}"
                elif line.startswith("$enddefinitions"):
                    in_header = False
                continue
            text = line.strip()
            if text.startswith("#"):
                stamps += 1
                stamp_bytes += len(raw)
                last = int(text[1:])
                continue
            if not text or text.startswith("$"):
                stamp_bytes += len(raw)  # blank lines after each time, $dumpvars framing
                continue
            vid = text.split()[1] if text[0] in "br" else text[1:]
            cls = ids.get(vid)
            if cls is None:
                stamp_bytes += len(raw)
                continue
            changes[cls] += 1
            nbytes[cls] += len(raw)
    signals = collections.Counter(ids.values())
    cycles = max(1, stamps // 2)
    print(f"{'class':28s} {'signals':>7s} {'changes/cycle':>13s} {'bytes/change':>12s} {'MB':>9s}")
    for cls in sorted(signals):
        n, c, b = signals[cls], changes[cls], nbytes[cls]
        print(f"{cls:28s} {n:7d} {c / n / cycles:13.4f} {b / max(c, 1):12.1f} {b / 1e6:9.2f}")
    print(f"header {header} B, time stamps and blank lines {stamp_bytes} B in {stamps} stamps, "
          f"last time stamp #{last}, {cycles} cycles")


if __name__ == "__main__":
    main()
