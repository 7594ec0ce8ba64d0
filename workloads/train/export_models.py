#!/usr/bin/python3
"""Export real-world-style PyTorch models to ONNX the way users do, with test data.

    /usr/bin/python3 workloads/train/export_models.py --out DIR [--only NAME ...] [--skip-large]

Each model is built with seeded random weights: torch.manual_seed(seed) before it is
constructed (torchvision models keep their own init), the hand-written models get a
Kaiming-normal re-init from a torch.Generator seeded with the same seed (the default init
makes the logits nearly independent of the input), and BatchNorm gets random affine
parameters and running statistics (the statistics of 256 training images, randomly
perturbed, so that the BN folded by the exporter is not the identity and every BN
normalizes what it sees). The model is put in eval mode and exported with

    torch.onnx.export(model, dummy, f, opset_version=OPSET, input_names=["input"],
                      output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})

(default exporter settings otherwise: constant folding on, eval-mode BN folding).
For every model NAME the output folder gets

    NAME.onnx          the exported graph (checked with onnx.checker, full_check)
    NAME.input.pb      onnx TensorProto float32 [100, 1, H, W]: the first 100 Fashion-MNIST
                       test images, x = pixel / 255 (zero-padded and centred when H, W > 28)
    NAME.expected.pb   onnx TensorProto float32 [100, 10]: PyTorch's fp32 output on that
                       input (eval mode, torch.no_grad; raw logits, for the models that end
                       in Softmax the logits before it, see "output" in the manifest)

and manifest.json lists every model: file names, opset, input shape, parameter count,
file size, the ONNX op types present, versions and seed. With --only the manifest of DIR
is updated (other entries kept). --skip-large skips mobilenet_v2, squeezenet1_1,
resnet18 and resnet18_c3 (2.9 to 45 MB each; tests/e2e/pytorch_exports.sh exports them at
test time); the other models, shufflenet_v2_x0_5 (1.5 MB) included, are committed in
tests/inputs/exports/.

Input convention: x = pixel / 255 in [0, 1], shape [N, 1, H, W], 10 classes. All models but
resnet18_c3 take 1x28x28 at this torchvision version (the smallest spatial maps are 1x1); a
model that needed a larger input would get zero-padded images (the input side in MODELS),
never resized ones. resnet18_c3 is torchvision's resnet18 as it is (3-channel conv1) on
fmnist32 (make_data.py: 3x32x32 Fashion-MNIST with 3 different channels), normalized per
channel, x = (pixel / 255 - mean[c]) / std[c], with the 4-decimal mean/std of the 50,000
fmnist32 training images (the manifest entry's `normalize`; the 256 BN calibration images
are the first fmnist32 training images, normalized the same way). The normalization is not
in the graph: safsim runs it with workload.normalize.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion_mnist  # noqa: E402
import make_data  # noqa: E402

N_IMAGES = 100
CALIB_IMAGES = 256  # training images whose statistics seed the BatchNorm running stats
LARGE_BYTES = 2 * 1000 * 1000  # an ONNX file above this is "large"


# ---------------------------------------------------------------------------
# Hand-written models, the way tutorials and papers write them
# ---------------------------------------------------------------------------
class TutorialCNN(nn.Module):
    """conv-relu-pool x2, two Linear; flattens with x.view(x.size(0), -1) (the PyTorch
    tutorial idiom: Shape/Gather/Unsqueeze/Concat/Reshape in the graph) or nn.Flatten."""

    def __init__(self, flatten="view"):
        super().__init__()
        self.flatten_mode = flatten
        self.conv1 = nn.Conv2d(1, 8, 5)       # 8x24x24 -> pool 8x12x12
        self.conv2 = nn.Conv2d(8, 16, 5)      # 16x8x8 -> pool 16x4x4
        self.pool = nn.MaxPool2d(2, 2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(16 * 4 * 4, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        if self.flatten_mode == "view":
            x = x.view(x.size(0), -1)
        else:
            x = self.flatten(x)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


class NormalizedInput(nn.Module):
    """(x - mean) / std inside forward() (Fashion-MNIST mean 0.2860, std 0.3530), then a
    padding=1 conv: the zero padding applies to the normalized input."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)                 # 8x28x28
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1, bias=False)    # 16x14x14
        self.bn2 = nn.BatchNorm2d(16)
        self.conv3 = nn.Conv2d(16, 16, 3, padding=1)               # 16x7x7
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = (x - 0.2860) / 0.3530
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.relu(self.conv3(x))
        x = F.adaptive_avg_pool2d(x, 1)
        return self.fc(torch.flatten(x, 1))


class Inception(nn.Module):
    """GoogLeNet-style block: 1x1, 1x1->3x3, 1x1->5x5 and maxpool 3x3->1x1 branches,
    concatenated on channels."""

    def __init__(self, cin, c1, c3r, c3, c5r, c5, cp):
        super().__init__()
        self.b1 = nn.Sequential(nn.Conv2d(cin, c1, 1), nn.ReLU())
        self.b2 = nn.Sequential(nn.Conv2d(cin, c3r, 1), nn.ReLU(),
                                nn.Conv2d(c3r, c3, 3, padding=1), nn.ReLU())
        self.b3 = nn.Sequential(nn.Conv2d(cin, c5r, 1), nn.ReLU(),
                                nn.Conv2d(c5r, c5, 5, padding=2), nn.ReLU())
        self.b4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1),
                                nn.Conv2d(cin, cp, 1), nn.ReLU())

    def forward(self, x):
        return torch.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], 1)


class InceptionNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16),
                                  nn.ReLU(), nn.MaxPool2d(2))               # 16x14x14
        self.inc1 = Inception(16, 8, 8, 16, 4, 8, 8)                       # 40x14x14
        self.pool = nn.MaxPool2d(2)                                        # 40x7x7
        self.inc2 = Inception(40, 16, 12, 24, 4, 8, 8)                     # 56x7x7
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(56, 10)

    def forward(self, x):
        x = self.inc2(self.pool(self.inc1(self.stem(x))))
        return self.fc(torch.flatten(self.gap(x), 1))


class HeadActivations(nn.Module):
    """A CNN using ReLU6, LeakyReLU(0.1), Hardswish, SiLU and channel-wise PReLU in the
    convolutional part, Tanh and Hardsigmoid in the fully connected head, and a final
    Softmax (the output is probabilities)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.act1 = nn.ReLU6()                                  # 8x28x28 -> pool 14
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.act2 = nn.LeakyReLU(0.1)                           # 16x14x14 -> pool 7
        self.conv3 = nn.Conv2d(16, 16, 3, padding=1)
        self.act3 = nn.Hardswish()
        self.conv4 = nn.Conv2d(16, 16, 1)
        self.act4 = nn.SiLU()
        self.conv5 = nn.Conv2d(16, 16, 1)
        self.act5 = nn.PReLU(16, init=0.25)                     # slope [16] -> [16,1,1]
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(16 * 7 * 7, 32)
        self.act6 = nn.Tanh()
        self.fc2 = nn.Linear(32, 32)
        self.act7 = nn.Hardsigmoid()
        self.fc3 = nn.Linear(32, 10)
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        x = self.pool(self.act1(self.conv1(x)))
        x = self.pool(self.act2(self.conv2(x)))
        x = self.act3(self.conv3(x))
        x = self.act4(self.conv4(x))
        x = self.act5(self.conv5(x))
        x = torch.flatten(x, 1)
        x = self.act6(self.fc1(x))
        x = self.act7(self.fc2(x))
        return self.softmax(self.fc3(x))


class SqueezeExcite(nn.Module):
    """SE block (Hu et al. 2018): global avg pool, 1x1 conv reduce + ReLU, 1x1 conv
    expand, sigmoid, channel-wise Mul with the feature map."""

    def __init__(self, c, r=4):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(c, c // r, 1)
        self.fc2 = nn.Conv2d(c // r, c, 1)

    def forward(self, x):
        s = torch.sigmoid(self.fc2(F.relu(self.fc1(self.pool(x)))))
        return x * s


class SENet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.se = SqueezeExcite(32, 4)
        self.fc = nn.Linear(32 * 7 * 7, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)    # 16x14x14
        x = F.relu(self.bn2(self.conv2(x)))                     # 32x14x14
        x = F.max_pool2d(self.se(x), 2)                         # 32x7x7
        return self.fc(torch.flatten(x, 1))


# ---------------------------------------------------------------------------
# torchvision models with a 1-channel first convolution
# ---------------------------------------------------------------------------
def one_channel(conv):
    """A Conv2d like `conv` (same kernel, stride, padding, dilation, bias) with 1 input channel."""
    assert conv.groups == 1, conv
    return nn.Conv2d(1, conv.out_channels, conv.kernel_size, stride=conv.stride,
                     padding=conv.padding, dilation=conv.dilation, bias=conv.bias is not None,
                     padding_mode=conv.padding_mode)


def tv_mobilenet_v2():
    import torchvision
    m = torchvision.models.mobilenet_v2(num_classes=10)
    m.features[0][0] = one_channel(m.features[0][0])
    return m


def tv_shufflenet_v2_x0_5():
    import torchvision
    m = torchvision.models.shufflenet_v2_x0_5(num_classes=10)
    m.conv1[0] = one_channel(m.conv1[0])
    return m


def tv_squeezenet1_1():
    import torchvision
    m = torchvision.models.squeezenet1_1(num_classes=10)
    m.features[0] = one_channel(m.features[0])
    return m


def tv_resnet18():
    import torchvision
    m = torchvision.models.resnet18(num_classes=10)
    m.conv1 = one_channel(m.conv1)
    return m


def tv_resnet18_c3():
    import torchvision
    return torchvision.models.resnet18(num_classes=10)


# name -> (builder, opset, input side, output kind, torchvision?, description)
MODELS = {
    "tutorial_view": (lambda: TutorialCNN("view"), 13, 28, "logits", False,
                      "conv 1->8 5x5, ReLU, maxpool 2, conv 8->16 5x5, ReLU, maxpool 2, "
                      "x.view(x.size(0), -1), fc 256->64, ReLU, fc 64->10"),
    "tutorial_view_opset17": (lambda: TutorialCNN("view"), 17, 28, "logits", False,
                              "tutorial_view exported with opset 17"),
    "tutorial_flatten": (lambda: TutorialCNN("flatten"), 13, 28, "logits", False,
                         "tutorial_view with nn.Flatten instead of view()"),
    "normalized_input": (NormalizedInput, 13, 28, "logits", False,
                         "(x - 0.2860) / 0.3530 in forward(), conv 1->8 3x3 p1, ReLU, maxpool 2, "
                         "conv 8->16 3x3 p1 + BN, ReLU, maxpool 2, conv 16->16 3x3 p1, ReLU, "
                         "global avg pool, fc 16->10"),
    "inception_concat": (InceptionNet, 13, 28, "logits", False,
                         "conv 1->16 3x3 p1 + BN, ReLU, maxpool 2, inception block "
                         "(1x1 | 1x1-3x3 | 1x1-5x5 | maxpool3 s1-1x1, Concat -> 40 ch), maxpool 2, "
                         "inception block (-> 56 ch), global avg pool, fc 56->10"),
    "head_activations": (HeadActivations, 14, 28, "softmax", False,
                         "conv 3x3 ReLU6, maxpool, conv 3x3 LeakyReLU(0.1), maxpool, conv 3x3 "
                         "Hardswish, conv 1x1 SiLU, conv 1x1 PReLU(16 channels), flatten, "
                         "fc 784->32 Tanh, fc 32->32 Hardsigmoid, fc 32->10, Softmax; opset 14 "
                         "(the torch 1.13 default) so that Hardswish is a HardSwish node (opset 13 "
                         "exports it as HardSigmoid + Mul)"),
    "squeeze_excite": (SENet, 13, 28, "logits", False,
                       "conv 1->16 3x3 p1 + BN, ReLU, maxpool 2, conv 16->32 3x3 p1 + BN, ReLU, "
                       "SE block (global avg pool, conv 1x1 32->8, ReLU, conv 1x1 8->32, Sigmoid, "
                       "Mul with the feature map), maxpool 2, flatten, fc 1568->10"),
    "mobilenet_v2": (tv_mobilenet_v2, 13, 28, "logits", True,
                     "torchvision mobilenet_v2(num_classes=10), features[0][0] with 1 input channel"),
    "shufflenet_v2_x0_5": (tv_shufflenet_v2_x0_5, 13, 28, "logits", True,
                           "torchvision shufflenet_v2_x0_5(num_classes=10), conv1[0] with 1 input "
                           "channel"),
    "squeezenet1_1": (tv_squeezenet1_1, 13, 28, "logits", True,
                      "torchvision squeezenet1_1(num_classes=10), features[0] with 1 input channel"),
    "resnet18": (tv_resnet18, 13, 28, "logits", True,
                 "torchvision resnet18(num_classes=10), conv1 with 1 input channel"),
    "resnet18_c3": (tv_resnet18_c3, 13, 32, "logits", True,
                    "torchvision resnet18(num_classes=10) unchanged (3-channel conv1), input 3x32x32: "
                    "fmnist32 images normalized per channel (workload.normalize in the manifest)"),
}

# Models fed fmnist32 (make_data.py: 3x32x32, R = p, G = 255 - p, B = p // 2 + 64 of the
# zero-padded 32x32 Fashion-MNIST image p), normalized per channel with the 4-decimal
# mean/std of its 50,000 training images, as resnet20_c3 of the zoo. The others take
# 1-channel Fashion-MNIST, x = pixel / 255.
FMNIST32 = {"resnet18_c3"}


def init_weights(model, g):
    """Signal-preserving seeded init of the hand-written models (the PyTorch default init
    shrinks activations layer by layer until the logits hardly depend on the input):
    Kaiming-normal Conv/Linear weights (fan_in), small random biases, random PReLU slopes."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                fan_in = m.weight[0].numel()
                m.weight.copy_(torch.empty(m.weight.shape).normal_(0.0, (2.0 / fan_in) ** 0.5,
                                                                   generator=g))
                if m.bias is not None:
                    m.bias.copy_(torch.empty(m.bias.shape).normal_(0.0, 0.05, generator=g))
            elif isinstance(m, nn.PReLU):
                m.weight.copy_(torch.empty(m.weight.shape).uniform_(0.05, 0.5, generator=g))


def randomize_bn(model, g, calib):
    """Seeded random BatchNorm affine parameters and running statistics, not the identity.
    The statistics are those of the calibration images (so each BN normalizes the
    activations it really sees and the output still depends on the input), then
    perturbed: mean += N(0, 0.1) * std, var *= U(0.8, 1.25)."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    if not bns:
        return
    with torch.no_grad():
        for m in bns:
            c = m.num_features
            m.weight.copy_(torch.empty(c).uniform_(0.5, 1.5, generator=g))
            m.bias.copy_(torch.empty(c).normal_(0.0, 0.1, generator=g))
            m.reset_running_stats()
            m.momentum = None          # cumulative average: stats of the calibration batch
        model.eval()
        for m in bns:
            m.train()
        model(calib)
        model.eval()
        for m in bns:
            c = m.num_features
            std = m.running_var.sqrt()
            m.running_mean.add_(torch.empty(c).normal_(0.0, 0.1, generator=g) * std)
            m.running_var.mul_(torch.empty(c).uniform_(0.8, 1.25, generator=g))
            m.momentum = 0.1


def build(name, seed, calib):
    builder, is_tv = MODELS[name][0], MODELS[name][4]
    torch.manual_seed(seed)
    model = builder()
    g = torch.Generator()
    g.manual_seed(seed)
    if not is_tv:
        init_weights(model, g)
    randomize_bn(model, g, calib)
    return model.eval()


def pad_to(x, side):
    if side != 28:
        assert side > 28
        lo = (side - 28) // 2
        x = F.pad(x, (lo, side - 28 - lo, lo, side - 28 - lo))
    return x.contiguous()


def calibration_input(side, root):
    """First CALIB_IMAGES training images (BN statistics), pixel/255, zero-padded."""
    images, _ = fashion_mnist.load_split("train", root)
    return pad_to(fashion_mnist.to_tensor(images[:CALIB_IMAGES]), side)


def test_input(side, root):
    """First N_IMAGES test images as float32 [N,1,side,side], pixel/255, zero-padded."""
    images, _ = fashion_mnist.load_split("test", root)
    return pad_to(fashion_mnist.to_tensor(images[:N_IMAGES]), side)


def fmnist32_normalize(root):
    """{"mean": [3], "std": [3]}: 4-decimal per-channel stats of the fmnist32 training split."""
    mean, std = make_data.normalize_constants(make_data.load_fmnist32("train", root)[0])
    return {"mean": mean, "std": std}


def fmnist32_input(split, images, root, norm):
    """First `images` fmnist32 images of `split`, float32 [N,3,32,32], normalized with `norm`."""
    x, _ = make_data.load_fmnist32(split, root, images)
    return torch.from_numpy(make_data.normalize(x, norm["mean"], norm["std"]))


def export_one(name, out, seed, data_root):
    import onnx
    from onnx import numpy_helper
    _, opset, side, output_kind, is_tv, description = MODELS[name]
    norm = None
    if name in FMNIST32:
        norm = fmnist32_normalize(data_root)
        channels = 3
        model = build(name, seed, fmnist32_input("train", CALIB_IMAGES, data_root, norm))
        x = fmnist32_input("test", N_IMAGES, data_root, norm)
    else:
        channels = 1
        model = build(name, seed, calibration_input(side, data_root))
        x = test_input(side, data_root)
    with torch.no_grad():
        y = model(x).to(torch.float32)
        logits = y
        if output_kind == "softmax":
            # safsim drops an output Softmax (top-1 is unchanged): it must reproduce the logits
            # before it, which are what the expected file holds.
            softmax, model.softmax = model.softmax, nn.Identity()
            logits = model(x).to(torch.float32)
            model.softmax = softmax
            assert torch.allclose(torch.softmax(logits, 1), y, atol=1e-6)
    assert y.shape == (N_IMAGES, 10), (name, tuple(y.shape))
    onnx_path = os.path.join(out, name + ".onnx")
    t0 = time.time()
    torch.onnx.export(model, torch.zeros(1, channels, side, side), onnx_path, opset_version=opset,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    export_s = time.time() - t0
    if not is_large(name) and os.path.getsize(onnx_path) > LARGE_BYTES:
        print("warning: %s.onnx is %d bytes (> %d) but not marked large"
              % (name, os.path.getsize(onnx_path), LARGE_BYTES))
    proto = onnx.load(onnx_path)
    onnx.checker.check_model(proto, full_check=True)
    in_file, exp_file = name + ".input.pb", name + ".expected.pb"
    with open(os.path.join(out, in_file), "wb") as f:
        f.write(numpy_helper.from_array(x.numpy().astype(np.float32), "input").SerializeToString())
    with open(os.path.join(out, exp_file), "wb") as f:
        f.write(numpy_helper.from_array(logits.numpy().astype(np.float32), "logits")
                .SerializeToString())
    op_counts = {}
    for n in proto.graph.node:
        op_counts[n.op_type] = op_counts.get(n.op_type, 0) + 1
    opsets = {o.domain or "ai.onnx": o.version for o in proto.opset_import}
    assert opsets.get("ai.onnx") == opset, opsets
    entry = {
        "name": name,
        "file": name + ".onnx",
        "input_file": in_file,
        "expected_file": exp_file,
        "description": description,
        "source": ("torchvision %s" % _tv_version()) if is_tv else "export_models.py",
        "opset": opset,
        "input_name": "input",
        "output_name": "logits",
        "input_shape": [channels, side, side],
        "input_data": ("first %d Fashion-MNIST test images, x = pixel / 255, float32 [%d, 1, %d, %d]"
                       % (N_IMAGES, N_IMAGES, side, side)
                       + ("" if side == 28 else ", zero-padded from 28x28 (centred)")
                       if norm is None else
                       "first %d fmnist32 test images (workloads/train/make_data.py), x = (pixel / 255 "
                       "- mean[c]) / std[c] with `normalize`, float32 [%d, 3, %d, %d]"
                       % (N_IMAGES, N_IMAGES, side, side)),
        "output": ("softmax probabilities [%d, 10]; the expected file holds the logits before "
                   "the Softmax, which safsim drops at the output" % N_IMAGES
                   if output_kind == "softmax" else "raw logits [%d, 10]" % N_IMAGES),
        "params": int(sum(p.numel() for p in model.parameters())),
        "file_size": os.path.getsize(onnx_path),
        "ops": sorted(op_counts),
        "op_counts": dict(sorted(op_counts.items())),
        "nodes": len(proto.graph.node),
        "large": is_large(name),
        "seed": seed,
        "torch_version": torch.__version__,
        "onnx_version": onnx.__version__,
    }
    if norm is not None:
        entry["dataset"] = "fmnist32 (workloads/train/make_data.py)"
        entry["normalize"] = norm
    if is_tv:
        entry["torchvision_version"] = _tv_version()
    return entry, export_s


def _tv_version():
    import torchvision
    return torchvision.__version__


def is_large(name):
    """torchvision models of 2.9 MB (squeezenet1_1) to 45 MB (resnet18, resnet18_c3);
    shufflenet_v2_x0_5 (1.5 MB) is committed so that its channel shuffle runs in every test."""
    return MODELS[name][4] and name != "shufflenet_v2_x0_5"


def to_json(v, indent=0):
    """JSON with one key per line; lists and dicts of numbers/strings on one line."""
    def flat(x):
        vals = x.values() if isinstance(x, dict) else x
        return not any(isinstance(e, (dict, list)) for e in vals)
    sp = " " * indent
    if isinstance(v, dict) and not flat(v):
        return "{\n" + ",\n".join('%s "%s": %s' % (sp, k, to_json(x, indent + 1))
                                   for k, x in v.items()) + "\n" + sp + "}"
    if isinstance(v, list) and not flat(v):
        return "[\n" + ",\n".join(sp + " " + to_json(x, indent + 1) for x in v) + "\n" + sp + "]"
    return json.dumps(v)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--only", nargs="+", metavar="NAME", choices=list(MODELS),
                    help="export only these models (the manifest keeps the other entries)")
    ap.add_argument("--skip-large", action="store_true",
                    help="skip the torchvision models (large ONNX files, exported at test time)")
    ap.add_argument("--seed", type=int, default=1, help="torch.manual_seed before each model")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--data", default=fashion_mnist.DEFAULT_ROOT)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    names = args.only or list(MODELS)
    if args.skip_large:
        names = [n for n in names if not is_large(n)]
    os.makedirs(args.out, exist_ok=True)
    manifest_path = os.path.join(args.out, "manifest.json")
    entries = {}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            entries = {e["name"]: e for e in json.load(f)["models"]}
    for name in names:
        t0 = time.time()
        e, export_s = export_one(name, args.out, args.seed, args.data)
        entries[name] = e
        print("%-22s opset %d  %s  params %9d  %9d bytes  export %.1fs (total %.1fs)  ops %s"
              % (name, e["opset"], "x".join(map(str, e["input_shape"])), e["params"], e["file_size"],
                 export_s, time.time() - t0, ",".join(e["ops"])), flush=True)
    ordered = [entries[n] for n in MODELS if n in entries]
    manifest = {
        "generator": "workloads/train/export_models.py --out DIR [--only NAME ...] [--skip-large]",
        "input_convention": "x = pixel / 255 in [0, 1], float32 [N, 1, H, W]; the models with "
                            "`normalize` take fmnist32 [N, 3, 32, 32], x = (pixel / 255 - mean[c]) "
                            "/ std[c]; batch axis 'batch' is dynamic in every graph",
        "images": N_IMAGES,
        "large_models": [n for n in MODELS if is_large(n)],
        "large_models_command": "/usr/bin/python3 workloads/train/export_models.py --out DIR --only "
                                + " ".join(n for n in MODELS if is_large(n)),
        "models": ordered,
    }
    with open(manifest_path, "w") as f:
        f.write(to_json(manifest) + "\n")
    print("wrote", manifest_path)


if __name__ == "__main__":
    main()
