#!/usr/bin/env python3
"""Writes the malformed IDX datasets of tests/e2e/bad_inputs.sh into DIR (standard library only).

  labels_out_of_range/  2 test images, labels 0 and 12 (the zoo models have 10 classes)
  empty_train/          valid test split, a training split of 0 images
  bomb/                 t10k images: 64 MiB of zeros gzipped (wrong magic number at byte 0)
Usage: make_bad_datasets.py DIR
"""
import gzip
import os
import struct
import sys


def idx_images(count, rows=28, cols=28, fill=0):
    return struct.pack(">IIII", 0x803, count, rows, cols) + bytes([fill]) * (count * rows * cols)


def idx_labels(labels):
    return struct.pack(">II", 0x801, len(labels)) + bytes(labels)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(data)


def dataset(root, name, test_labels, train_count):
    d = os.path.join(root, name)
    write(os.path.join(d, "t10k-images-idx3-ubyte.gz"), idx_images(len(test_labels), fill=7))
    write(os.path.join(d, "t10k-labels-idx1-ubyte.gz"), idx_labels(test_labels))
    write(os.path.join(d, "train-images-idx3-ubyte.gz"), idx_images(train_count, fill=7))
    write(os.path.join(d, "train-labels-idx1-ubyte.gz"), idx_labels([1] * train_count))


def main():
    root = sys.argv[1]
    dataset(root, "labels_out_of_range", [0, 12], 4)
    dataset(root, "empty_train", [0, 1], 0)
    dataset(root, "bomb", [0, 1], 4)
    with gzip.open(os.path.join(root, "bomb", "t10k-images-idx3-ubyte.gz"), "wb", 1) as f:
        chunk = bytes(1 << 20)
        for _ in range(64):
            f.write(chunk)


if __name__ == "__main__":
    main()
