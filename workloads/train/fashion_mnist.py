"""Fashion-MNIST IDX (gzip) loader, no torchvision dependency.

Preprocessing convention (shared with the C++ simulator):
    x = pixel / 255.0   (float32 in [0, 1]), shape [N, 1, 28, 28]
No mean/std normalization: the simulator quantizes the input as the raw
uint8 pixel with scale 1/255.
"""
import gzip
import os
import struct

import numpy as np

DEFAULT_ROOT = "/usr/share/datasets/fashion-mnist"

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def read_idx(path):
    """Read an IDX file (optionally gzip-compressed) into a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0:
        raise ValueError("%s: bad IDX magic" % path)
    dtypes = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype(">i2"),
              0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
    dt = np.dtype(dtypes[dtype_code])
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=dt, offset=4 + 4 * ndim)
    count = int(np.prod(shape))
    if arr.size != count:
        raise ValueError("%s: expected %d elements, got %d" % (path, count, arr.size))
    return arr.reshape(shape)


def idx_path(root, base):
    """root/base.gz, else the uncompressed root/base when only it exists (as safsim finds them)."""
    gz = os.path.join(root, base + ".gz")
    plain = os.path.join(root, base)
    return plain if not os.path.exists(gz) and os.path.exists(plain) else gz


def load_split(split, root=DEFAULT_ROOT):
    """Return (images uint8 [N,28,28], labels int64 [N]) for split 'train' or 't10k'/'test'."""
    prefix = {"train": "train", "test": "t10k", "t10k": "t10k"}[split]
    images = read_idx(idx_path(root, "%s-images-idx3-ubyte" % prefix))
    labels = read_idx(idx_path(root, "%s-labels-idx1-ubyte" % prefix))
    assert images.shape[0] == labels.shape[0]
    return images, labels.astype(np.int64)


def to_tensor(images):
    """uint8 [N,28,28] -> float32 torch tensor [N,1,28,28] in [0,1] (pixel/255)."""
    import torch
    x = torch.from_numpy(np.array(images, copy=True)).to(torch.float32).div_(255.0)
    return x.unsqueeze(1)


def load_tensors(split, root=DEFAULT_ROOT):
    import torch
    images, labels = load_split(split, root)
    return to_tensor(images), torch.from_numpy(labels)


if __name__ == "__main__":
    for s in ("train", "test"):
        im, lb = load_split(s)
        print(s, im.shape, im.dtype, lb.shape, np.bincount(lb).tolist())
