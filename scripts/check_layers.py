#!/usr/bin/env python3
"""Fails when a source file includes a header of a higher layer (docs/design.md, "Layers").

The layers, lowest first: base, workloads, memory, hw_models, sim. A file may include headers of
its own layer and of the layers below it. The CMake libraries enforce this for symbols at link
time; this check also catches header-only upward includes, which would link.
Usage: scripts/check_layers.py [ROOT]   (exit 1 and one line per violation when any is found)
"""
import pathlib
import re
import sys

LAYERS = ["base", "workloads", "memory", "hw_models", "sim"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"/]+)/')


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    violations = []
    for rank, layer in enumerate(LAYERS):
        for path in sorted((root / layer).rglob("*")):
            if path.suffix not in (".h", ".cpp"):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                match = INCLUDE.match(line)
                if match and match.group(1) in LAYERS and LAYERS.index(match.group(1)) > rank:
                    violations.append(f"{path.relative_to(root)}:{number}: {layer} includes "
                                      f"{match.group(1)}/ ({line.strip()}), a higher layer")
    for v in violations:
        print(v)
    if violations:
        print(f"check_layers: {len(violations)} upward include(s); layer order (lowest first): "
              + " < ".join(LAYERS) + " (docs/design.md)")
        return 1
    print("check_layers: every include points to its own layer or one below")
    return 0


if __name__ == "__main__":
    sys.exit(main())
