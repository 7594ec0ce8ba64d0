"""Valid seed inputs of the fuzz test, written into a work directory: a tiny IDX slice, a CIFAR-10
binary directory, an .npz, configs and sweep files that use them, a defect map and a test set
that fit them. Each seed says how safsim reads it (`argv`, with {dir} for the case's copy of the
seed's directory), so every run is small: one or two images, a few calibration images."""

import json
import os
import random
import struct
import subprocess

import numpy as np

import mutations

TRAIN, TEST = 16, 4
WORK, SRC = b"@WORK@", b"@SRC@"  # path tokens (build(), fill_paths())


def _idx(path, array):
    header = struct.pack(">HBB", 0, 0x08, array.ndim)  # 0x08: unsigned bytes
    header += b"".join(struct.pack(">I", d) for d in array.shape)
    with open(path, "wb") as f:
        f.write(header + array.tobytes())


def _images(rng, n, shape):
    return np.frombuffer(bytes(rng.randrange(256) for _ in range(n * int(np.prod(shape)))),
                         dtype=np.uint8).reshape((n, ) + shape)


def _labels(rng, n):
    return np.array([rng.randrange(10) for _ in range(n)], dtype=np.uint8)


def write_data(work):
    """Random images (accuracy does not matter here), deterministic."""
    rng = random.Random(16)
    idx_dir = os.path.join(work, "idx")
    os.makedirs(idx_dir)
    for split, n in (("train", TRAIN), ("t10k", TEST)):
        _idx(f"{idx_dir}/{split}-images-idx3-ubyte", _images(rng, n, (28, 28)))
        _idx(f"{idx_dir}/{split}-labels-idx1-ubyte", _labels(rng, n))
    cifar = os.path.join(work, "cifar")
    os.makedirs(cifar)
    for name, n in (("data_batch_1.bin", TRAIN), ("test_batch.bin", TEST)):
        with open(f"{cifar}/{name}", "wb") as f:
            for _ in range(n):
                f.write(bytes([rng.randrange(10)]) + bytes(_images(rng, 1, (3, 32, 32))))
    npz = os.path.join(work, "data.npz")
    np.savez(npz, x_test=_images(rng, TEST, (1, 28, 28)), y_test=_labels(rng, TEST).astype(
        np.int64), x_train=_images(rng, TRAIN, (28, 28)), y_train=_labels(rng, TRAIN))
    return idx_dir, cifar, npz


def _yaml(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


class Seed:
    """One input file (`mutate_file` in `directory`, which holds what it refers to), its
    mutation, and the command that reads it; `argv` says {dir} for the case's copy of the
    directory. `weight`: how often it is picked."""

    def __init__(self, name, directory, mutate_file, mutate, argv, weight=1, plan_limit=None):
        self.name = name
        # A sweep is planned first (--dry-run) and run only if it has at most this many
        # trials: `repeat: 01035` is a valid sweep of 4,140 trials, too long for a test.
        self.plan_limit = plan_limit
        self.directory = directory
        self.mutate_file = mutate_file
        self.mutate = mutate
        self.argv = argv
        self.weight = weight


def _map_text(banks, rows, words, bits, defects):
    h = 0xCBF29CE484222325
    for triple in defects:
        for v in triple:
            for i in range(8):
                h ^= (v >> (8 * i)) & 0xFF
                h = (h * 0x100000001B3) & (1 << 64) - 1
    lines = ["safsim-defect-map 1", f"banks {banks}", f"rows_per_bank {rows}",
             f"words_per_row {words}", f"word_bits {bits}", "seed 42", "trial 0",
             f"defects {len(defects)}", f"checksum 0x{h:016x}", "# word bit value"]
    lines += [f"{w} {b} {v}" for w, b, v in defects]
    return "\n".join(lines) + "\n"


def build(safsim, src, work):
    """All seeds, each in its own directory under `work`."""
    idx_dir, cifar, npz = write_data(work)
    tiny = ["--set", f"workload.dataset={idx_dir}", "--set", "workload.images=2", "--set",
            "quant.calibration_images=8"]
    seeds = []

    def seed_dir(name):
        d = os.path.join(work, "seeds", name)
        os.makedirs(d)
        return d

    # Configs: the main job's file (cycle engine, one image) and a functional one with faults.
    d = seed_dir("default_yaml")
    with open(f"{src}/configs/default.yaml") as f:
        _yaml(f"{d}/c.yaml", f.read())
    seeds.append(Seed("configs/default.yaml", d, "c.yaml", mutations.text,
                      ["run", "{dir}/c.yaml", *tiny, "--set", "workload.images=1"], 3))
    d = seed_dir("eval_yaml")
    _yaml(f"{d}/c.yaml", f"""workload: {{model: lenet5, dataset: {idx_dir}, images: 2}}
quant: {{weight_bits: 4, activation_bits: 8, calibration_images: 8}}
engine: functional
faults:
  weights:
    stuck_at: {{rate: 0.01, preset: rram}}
mitigation: {{scheme: c1, ties: balanced}}
accelerator:
  array: {{rows: 8, cols: 8}}
  nvm: {{tech: pcm, banks: 2}}
output: {{dir: out, predictions: true}}
""")
    seeds.append(Seed("eval config", d, "c.yaml", mutations.text, ["eval", "{dir}/c.yaml"], 3))

    # Sweep files: the README's example (planned only) and a small one that runs.
    d = seed_dir("example_rates")
    with open(f"{src}/configs/sweeps/example_rates.yaml") as f:
        text = f.read().replace("../default.yaml", f"{src}/configs/default.yaml")
    _yaml(f"{d}/s.yaml", text)
    seeds.append(Seed("configs/sweeps/example_rates.yaml", d, "s.yaml", mutations.text,
                      ["sweep", "{dir}/s.yaml", "--dry-run", "--out", "{dir}/out"], 2))
    d = seed_dir("small_sweep")
    _yaml(f"{d}/s.yaml", f"""name: small
base: {src}/configs/default.yaml
engine: functional
config:
  workload: {{dataset: {idx_dir}, images: 2}}
  quant: {{calibration_images: 8}}
axes:
  - key: faults.weights.stuck_at.rate
    values: [0.001, 0.01]
  - zip:
      - {{key: mitigation.scheme, values: [none, c1]}}
      - {{key: quant.weight_bits, values: [8, 4]}}
repeat: 1
seed: 3
metrics: [accuracy, accuracy_drop]
""")
    seeds.append(Seed("small sweep", d, "s.yaml", mutations.text,
                      ["sweep", "{dir}/s.yaml", "--out", "{dir}/out", "--threads", "1"], 3,
                      plan_limit=16))

    # Models: the zoo's LeNet-5 and the smaller CNN of 002.
    for model in ("lenet5", "cnn_s002"):
        d = seed_dir(model)
        with open(f"{src}/workloads/zoo/{model}.onnx", "rb") as f, open(f"{d}/m.onnx",
                                                                          "wb") as g:
            g.write(f.read())
        seeds.append(Seed(f"workloads/zoo/{model}.onnx", d, "m.onnx", mutations.onnx,
                          ["eval", *tiny, "--set", "workload.model={dir}/m.onnx"], 3))

    # Datasets: each file of the IDX slice, a CIFAR-10 batch, the .npz.
    for name in sorted(os.listdir(idx_dir)):
        d = seed_dir("idx_" + name)
        for other in os.listdir(idx_dir):
            with open(f"{idx_dir}/{other}", "rb") as f, open(f"{d}/{other}", "wb") as g:
                g.write(f.read())
        seeds.append(Seed(f"IDX {name}", d, name, mutations.idx,
                          ["eval", *tiny, "--set", "workload.dataset={dir}"]))
    for name in ("test_batch.bin", "data_batch_1.bin"):
        d = seed_dir("cifar_" + name)
        for other in os.listdir(cifar):
            with open(f"{cifar}/{other}", "rb") as f, open(f"{d}/{other}", "wb") as g:
                g.write(f.read())
        seeds.append(Seed(f"CIFAR-10 {name}", d, name, mutations.raw_records, [
            "eval", *tiny, "--set", "workload.model=resnet20_c3", "--set", "workload.images=1",
            "--set", "quant.calibration_images=2", "--set", "workload.dataset={dir}"
        ]))
    d = seed_dir("npz")
    with open(npz, "rb") as f, open(f"{d}/d.npz", "wb") as g:
        g.write(f.read())
    seeds.append(Seed(".npz", d, "d.npz", mutations.npz,
                      ["eval", *tiny, "--set", "workload.dataset={dir}/d.npz"], 3))

    # A defect map read instead of drawing one: 1,100 word lines of 128 8-bit words hold
    # lenet5's 132,420 weights.
    d = seed_dir("defect_map")
    with open(f"{d}/d.map", "w") as f:
        f.write(_map_text(1, 1100, 128, 8, [(17, 3, 1), (17, 6, 0), (402, 7, 1)]))
    seeds.append(Seed("defect map", d, "d.map", mutations.text, [
        "eval", *tiny, "--set", "faults.weights.stuck_at.rate=0.01", "--set",
        "faults.weights.stuck_at.map_file={dir}/d.map"
    ], 3))

    # Test sets: one selected from the IDX slice, loaded by the cycle engine's self-test.
    d = seed_dir("testset")
    subprocess.run([safsim, "select", f"{src}/configs/default.yaml", *tiny, "--strategy",
                    "random", "--count", "2", "--out", f"{d}/t.json"], check=True,
                   capture_output=True)
    with open(f"{d}/t.json") as f:
        testset = json.load(f)
    testset["selection_seconds"] = 0.0  # a time: the same seed on every run
    with open(f"{d}/t.json", "w") as f:
        json.dump(testset, f, indent=2)
    seeds.append(Seed("test set (safsim select)", d, "t.json", mutations.text, [
        "run", f"{src}/configs/default.yaml", *tiny, "--set", "workload.images=1", "--set",
        "selftest.enabled=true", "--set", "selftest.testset={dir}/t.json", "--set",
        "selftest.period=1"
    ], 3))
    # The README's test set: selected on Fashion-MNIST with the default calibration (each run
    # reads the training split, ~1 s), so it is fuzzed less often, and only where it is installed.
    if os.path.isdir("/usr/share/datasets/fashion-mnist") or os.environ.get("SAFSIM_DATA_DIR"):
        d = seed_dir("lenet5_testset")
        with open(f"{src}/configs/selftest/lenet5_testset.json") as f:
            _yaml(f"{d}/t.json", f.read())
        seeds.append(Seed("configs/selftest/lenet5_testset.json", d, "t.json", mutations.text, [
            "run", f"{src}/configs/default.yaml", "--set", "workload.images=1", "--set",
            "selftest.enabled=true", "--set", "mitigation.scheme=c1", "--set",
            "selftest.testset={dir}/t.json", "--set", "selftest.period=1"
        ], 1))
    # The files hold their paths as tokens, so that a mutation (a number replaced, an offset)
    # does not depend on where the work and source directories are: case i of a seed is the
    # same input on every machine. fill_paths() puts them back after mutating.
    for seed in seeds:
        path = os.path.join(seed.directory, seed.mutate_file)
        with open(path, "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(data.replace(work.encode(), WORK).replace(src.encode(), SRC))
    return seeds


def fill_paths(data, work, src):
    """The mutated file with the tokens build() left replaced by the real directories."""
    return data.replace(WORK, work.encode()).replace(SRC, src.encode())

