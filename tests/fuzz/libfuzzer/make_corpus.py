"""Seed corpora and dictionaries of the libFuzzer targets (scripts/fuzz.sh), from the inputs the
repository already has: configs/, the zoo, tests/inputs/ (the exported models and what the
mutation test found), the data, defect maps and test sets of the mutation test (tests/fuzz/
seeds.py), and ONNX's node-test models when libonnx-testdata is installed.

Usage: make_corpus.py OUT_DIR SOURCE_DIR
Writes OUT_DIR/<target>/ for each target and OUT_DIR/config.dict (YAML tokens and every config
key of docs/config_reference.md). The dataset targets read a control byte first, and fuzz_idx
the image file's length (tests/fuzz/libfuzzer/fuzz_idx.cpp); the seeds here carry them."""

import glob
import gzip
import hashlib
import os
import re
import shutil
import struct
import sys
import tempfile

import numpy as np

# Larger models slow every mutation down; the zoo's small ones and the exports cover the ops.
MAX_MODEL_BYTES = 600_000
ONNX_NODE_TESTS = "/usr/share/libonnx-testdata/data/node"


def put(out, target, data, name=None):
    """One seed file, named by its content unless `name` is given."""
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    name = name or hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def yaml_seeds(out, src):
    configs = sorted(glob.glob(f"{src}/configs/**/*.yaml", recursive=True))
    found = sorted(glob.glob(f"{src}/tests/inputs/fuzz/*.yaml"))
    for path in configs + found:
        data = read(path)
        put(out, "config", data)
        put(out, "sweep", data)
    # Overrides after the "#--set" line (fuzz_config.cpp).
    put(out, "config", b"workload: {model: lenet5, images: 2}\n#--set\n"
        b"accelerator.array.rows=32\nfaults.weights.stuck_at.rate=0.01\n"
        b"mitigation.scheme=c1\noutput.trace.scopes=[a, b]\n")
    put(out, "config", b"")
    put(out, "sweep", read(f"{src}/tests/inputs/sweep_grid_1000x1000.yaml"))


def config_dict(out, src):
    """Every key of the config reference, as a leaf name and as a dotted path, and YAML's
    tokens: mutations then produce known keys and YAML constructs far more often."""
    text = read(f"{src}/docs/config_reference.md").decode()
    keys = sorted(set(re.findall(r"^\| `([a-z0-9_.]+)` \|", text, re.M)))
    tokens = set()
    for k in keys:
        tokens.add(k)
        tokens.add(k.rsplit(".", 1)[-1] + ":")
    tokens.update(["---", "...", ": ", "- ", "[", "]", "{", "}", ", ", "&a ", "*a", "!!str ",
                   "!!int ", "<<: ", "? ", "|\n", ">\n", "~", "null", "true", "false", ".inf",
                   "-.inf", ".nan", "0x", "0o", "1e400", "axes:", "key:", "values:", "zip:",
                   "points:", "repeat:", "base:", "config:", "metrics:", "selftest:", "name:"])
    with open(os.path.join(out, "config.dict"), "w") as f:
        for t in sorted(tokens):
            # libFuzzer's dictionary syntax: printable ASCII, \\, \" and \xNN escapes only.
            f.write('"' + "".join(c if " " <= c <= "~" and c not in '\\"' else
                                  ("\\" + c if c in '\\"' else f"\\x{ord(c):02X}") for c in t) +
                    '"\n')


def onnx_seeds(out, src):
    models = glob.glob(f"{src}/workloads/zoo/*.onnx") + glob.glob(f"{src}/tests/inputs/**/*.onnx",
                                                                  recursive=True)
    for path in sorted(models):
        if os.path.getsize(path) <= MAX_MODEL_BYTES:
            put(out, "onnx", read(path))
    # One small model per op: the op rules' refusals and shape arithmetic.
    for path in sorted(glob.glob(f"{ONNX_NODE_TESTS}/*/model.onnx")):
        put(out, "onnx", read(path))


def idx(array):
    header = struct.pack(">HBB", 0, 0x08, array.ndim)
    return header + b"".join(struct.pack(">I", d) for d in array.shape) + array.tobytes()


def idx_input(control, images, labels):
    return bytes([control]) + struct.pack("<I", len(images)) + images + labels


def dataset_seeds(out, src):
    sys.path.insert(0, os.path.join(src, "tests", "fuzz"))
    import seeds  # the mutation test's data: small, deterministic
    work = tempfile.mkdtemp()
    try:
        idx_dir, cifar, npz = seeds.write_data(work)
        images = read(f"{idx_dir}/t10k-images-idx3-ubyte")
        labels = read(f"{idx_dir}/t10k-labels-idx1-ubyte")
        for control in (0x00, 0x02, 0x04, 0x41, 0x48):
            put(out, "idx", idx_input(control, images, labels))
        gz_images, gz_labels = gzip.compress(images, mtime=0), gzip.compress(labels, mtime=0)
        put(out, "idx", idx_input(0x01, gz_images, gz_labels))
        rng = np.random.default_rng(16)
        four = rng.integers(0, 256, (2, 3, 4, 4), dtype=np.uint8)
        put(out, "idx", idx_input(0x00, idx(four), idx(np.array([1, 7], dtype=np.uint8))))

        batch = read(f"{cifar}/test_batch.bin")
        for control in (0x00, 0x01, 0x08, 0x80):
            put(out, "cifar", bytes([control]) + batch)
        record = bytes([3, 17]) + bytes(rng.integers(0, 256, 3072, dtype=np.uint8))
        put(out, "cifar", bytes([0x40]) + record * 2)  # CIFAR-100: coarse, fine label

        for control in (0x00, 0x01, 0x04, 0x10):
            put(out, "npz", bytes([control]) + read(npz))
        path = os.path.join(work, "more.npz")
        np.savez_compressed(path, x_test=rng.random((2, 4, 4, 3), dtype=np.float32),
                            y_test=np.array([0, 9], dtype=np.int64))
        for control in (0x00, 0x20):
            put(out, "npz", bytes([control]) + read(path))
        np.savez(path, x_test=rng.integers(0, 256, (3, 28, 28), dtype=np.uint8))  # no labels
        put(out, "npz", bytes([0x04]) + read(path))
    finally:
        shutil.rmtree(work)


def defect_map_seeds(out, src):
    sys.path.insert(0, os.path.join(src, "tests", "fuzz"))
    import seeds
    put(out, "defect_map", seeds._map_text(1, 1100, 128, 8, [(17, 3, 1), (17, 6, 0),
                                                            (402, 7, 1)]).encode())
    put(out, "defect_map", seeds._map_text(2, 4, 8, 16, [(0, 0, 1), (63, 15, 0)]).encode())
    put(out, "defect_map", seeds._map_text(1, 1, 1, 32, []).encode())


def test_set_seeds(out, src):
    for path in sorted(glob.glob(f"{src}/configs/selftest/*.json") +
                       glob.glob(f"{src}/tests/inputs/fuzz/*.json")):
        put(out, "test_set", read(path))


def main():
    out, src = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    yaml_seeds(out, src)
    config_dict(out, src)
    onnx_seeds(out, src)
    dataset_seeds(out, src)
    defect_map_seeds(out, src)
    test_set_seeds(out, src)
    for target in sorted(os.listdir(out)):
        if os.path.isdir(os.path.join(out, target)):
            print(f"corpus {target}: {len(os.listdir(os.path.join(out, target)))} seeds")


if __name__ == "__main__":
    main()
