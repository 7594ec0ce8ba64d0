#!/usr/bin/python3
"""Writes fmnist32: Fashion-MNIST as 3-channel 32x32 images, as an .npz file and as a
CIFAR-10 binary directory, for the dataset readers and the 3-channel models (resnet20_c3).

    /usr/bin/python3 workloads/train/make_data.py --out DIR [--images N] [--float]
                                                  [--fmnist DIR]

numpy only (no torch). Each 28x28 image p is zero-padded to 32x32 (2 pixels on every side),
then made into 3 different channels, so that per-channel normalization matters:

    R = p,  G = 255 - p,  B = p // 2 + 64          (uint8; G's background is 255, B's 64)

The training split is the first 50,000 Fashion-MNIST training images (the last 10,000 are
dropped: CIFAR-10 has 5 batches of 10,000), the test split the 10,000 test images. DIR gets

    fmnist32.npz           np.savez (uncompressed): x_train uint8 [N,32,32,3] (NHWC),
                           y_train int64 [N], x_test uint8 [M,32,32,3], y_test int64 [M]
    fmnist32-cifar/        CIFAR-10 binary format: data_batch_1.bin .. data_batch_5.bin (the
                           training split in order, a fifth in each) and test_batch.bin; one
                           record per image: 1 label byte, then 3072 pixel bytes in CHW order
                           (1024 R, 1024 G, 1024 B, rows top to bottom)
    fmnist32_float.npz     with --float: the same arrays as float32 [N,3,32,32] (NCHW), already
                           normalized: (pixel / 255 - mean[c]) / std[c], computed in float64
                           with the rounded mean/std printed below (those of the full 50,000
                           training images unless --mean/--std), then rounded to float32

Both formats hold the same images in the same order, so calibration on the first training
images is identical across them. --images N keeps the first N images of each split (the
training split is still spread over the 5 batch files, the first ones taking the remainder).

Prints the per-channel mean and std of pixel / 255 over the training images written (the
population std over every pixel of the split), and the 4-decimal values for
`workload.normalize` (those of the full 50,000 training images: the values resnet20_c3 was
trained with).
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion_mnist  # noqa: E402  (its reader is numpy only)

TRAIN_IMAGES = 50000  # CIFAR-10: 5 batches of 10,000
BATCHES = 5
PAD = 2
SIDE = 28 + 2 * PAD
RECORD = 1 + 3 * SIDE * SIDE


def default_fmnist_dir():
    """$SAFSIM_DATA_DIR/fashion-mnist when SAFSIM_DATA_DIR is set, as safsim finds it."""
    root = os.environ.get("SAFSIM_DATA_DIR")
    if root:
        return os.path.join(root, "fashion-mnist")
    return fashion_mnist.DEFAULT_ROOT


def to_rgb32(images):
    """uint8 [N,28,28] -> uint8 [N,3,32,32] (CHW): pad with 2 zero pixels, then R, G, B."""
    p = np.pad(images, ((0, 0), (PAD, PAD), (PAD, PAD)))
    return np.stack([p, 255 - p, p // 2 + 64], axis=1).astype(np.uint8)


def load_fmnist32(split, root=None, images=0):
    """(x uint8 [N,3,32,32] NCHW, y int64 [N]) of the fmnist32 split 'train' (the first
    50,000 Fashion-MNIST training images) or 'test'; `images` > 0 keeps the first ones."""
    x, y = fashion_mnist.load_split(split, root or default_fmnist_dir())
    if split == "train":
        x, y = x[:TRAIN_IMAGES], y[:TRAIN_IMAGES]
    if images:
        x, y = x[:images], y[:images]
    return to_rgb32(x), y.astype(np.int64)


def channel_stats(x):
    """Per-channel (mean, std) of pixel / 255 over uint8 [N,C,H,W], exact (float64, from
    the histogram of each channel; std is the population std)."""
    v = np.arange(256, dtype=np.float64) / 255.0
    mean, std = [], []
    for c in range(x.shape[1]):
        h = np.bincount(x[:, c].ravel(), minlength=256).astype(np.float64)
        m = (h * v).sum() / h.sum()
        mean.append(m)
        std.append(np.sqrt((h * (v - m) ** 2).sum() / h.sum()))
    return mean, std


def normalize_constants(x):
    """channel_stats rounded to 4 decimals: the `workload.normalize` values."""
    mean, std = channel_stats(x)
    return [round(float(m), 4) for m in mean], [round(float(s), 4) for s in std]


def normalize(x, mean, std):
    """uint8 [N,C,H,W] -> float32 (x / 255 - mean[c]) / std[c], computed in float64."""
    m = np.asarray(mean, dtype=np.float64)[None, :, None, None]
    s = np.asarray(std, dtype=np.float64)[None, :, None, None]
    return ((x / 255.0 - m) / s).astype(np.float32)


def write_cifar(path, x, y):
    """CIFAR-10 binary records: label byte + 3072 CHW pixel bytes per image."""
    n = x.shape[0]
    rec = np.empty((n, RECORD), dtype=np.uint8)
    rec[:, 0] = y.astype(np.uint8)
    rec[:, 1:] = x.reshape(n, -1)
    rec.tofile(path)


def batch_bounds(n, batches=BATCHES):
    """[(lo, hi)] of `batches` consecutive parts of n images (10,000 each for 50,000)."""
    base, extra = divmod(n, batches)
    bounds, lo = [], 0
    for b in range(batches):
        hi = lo + base + (1 if b < extra else 0)
        bounds.append((lo, hi))
        lo = hi
    return bounds


def fmt(vals):
    return "[" + ", ".join("%.4f" % v for v in vals) + "]"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--images", type=int, default=0,
                    help="keep the first N images of every split (0: all)")
    ap.add_argument("--fmnist", default=None,
                    help="Fashion-MNIST IDX folder (default $SAFSIM_DATA_DIR/fashion-mnist, "
                         "else %s)" % fashion_mnist.DEFAULT_ROOT)
    ap.add_argument("--float", action="store_true",
                    help="also write fmnist32_float.npz (float32 NCHW, normalized)")
    ap.add_argument("--mean", type=float, nargs=3, help="--float: per-channel mean")
    ap.add_argument("--std", type=float, nargs=3, help="--float: per-channel std")
    args = ap.parse_args()
    if args.images < 0:
        ap.error("--images must be >= 0")

    t0 = time.time()
    root = args.fmnist or default_fmnist_dir()
    x_full, y_full = load_fmnist32("train", root)
    x_train, y_train = x_full, y_full
    if args.images:
        x_train, y_train = x_full[:args.images], y_full[:args.images]
    x_test, y_test = load_fmnist32("test", root, args.images)

    os.makedirs(args.out, exist_ok=True)
    npz = os.path.join(args.out, "fmnist32.npz")
    np.savez(npz, x_train=np.ascontiguousarray(x_train.transpose(0, 2, 3, 1)), y_train=y_train,
             x_test=np.ascontiguousarray(x_test.transpose(0, 2, 3, 1)), y_test=y_test)
    cifar = os.path.join(args.out, "fmnist32-cifar")
    os.makedirs(cifar, exist_ok=True)
    for b, (lo, hi) in enumerate(batch_bounds(x_train.shape[0])):
        write_cifar(os.path.join(cifar, "data_batch_%d.bin" % (b + 1)), x_train[lo:hi], y_train[lo:hi])
    write_cifar(os.path.join(cifar, "test_batch.bin"), x_test, y_test)
    print("wrote %s (x_train %s, x_test %s, NHWC uint8) and %s/ (%d + %d records)"
          % (npz, "x".join(map(str, x_train.transpose(0, 2, 3, 1).shape)),
             "x".join(map(str, x_test.transpose(0, 2, 3, 1).shape)), cifar,
             x_train.shape[0], x_test.shape[0]))

    mean, std = channel_stats(x_train)
    print("training images written: %d; per-channel pixel/255 mean %s std %s"
          % (x_train.shape[0], [round(float(m), 6) for m in mean], [round(float(s), 6) for s in std]))
    norm_mean, norm_std = normalize_constants(x_full)
    print("workload.normalize (the %d training images of fmnist32, 4 decimals): "
          "{mean: %s, std: %s}" % (x_full.shape[0], fmt(norm_mean), fmt(norm_std)))

    if args.float:
        fm, fs = args.mean or norm_mean, args.std or norm_std
        fnpz = os.path.join(args.out, "fmnist32_float.npz")
        np.savez(fnpz, x_train=normalize(x_train, fm, fs), y_train=y_train,
                 x_test=normalize(x_test, fm, fs), y_test=y_test)
        print("wrote %s (float32 NCHW, (pixel/255 - mean)/std with mean %s std %s)"
              % (fnpz, fmt(fm), fmt(fs)))
    print("%.1fs" % (time.time() - t0))


if __name__ == "__main__":
    main()
