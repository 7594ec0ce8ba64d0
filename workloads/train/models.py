"""The Fashion-MNIST models of the safsim model zoo (1x28x28 input, 10 classes; resnet20_c3
takes 3x32x32 fmnist32 images, see INPUT_SHAPES).

All models output raw logits. Only ops that export to the ONNX subset supported
by safsim are used (Conv, Gemm, Relu, Sigmoid, MaxPool, AveragePool,
GlobalAveragePool, Flatten, Add, BatchNormalization; Clip for ReLU6 and Concat
on channels; depthwise Conv (group = channels) and MaxPool ceil_mode=1).
nn.Flatten is used instead of view() so that no Shape/Gather/Concat nodes appear
in the graph.
"""
import torch
import torch.nn as nn


# ---------------------------------------------------------------------------
# LeNet-5 family (paper 003)
# ---------------------------------------------------------------------------
class LeNet5(nn.Module):
    """LeNet-5 of paper 003: conv(1->20,5x5) act pool conv(20->50,5x5) act pool
    fc 800->120 act fc 120->84 act fc 84->10.
    act = ReLU (default) or Sigmoid (003 sec. V-C); pool = MaxPool (default) or
    AvgPool (003 sec. V-D)."""

    def __init__(self, act="relu", pool="max"):
        super().__init__()
        Act = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid}[act]
        # count_include_pad=False: same math with padding 0, but without it the
        # exporter emits a (no-op) Pad node in front of AveragePool.
        Pool = {"max": lambda k: nn.MaxPool2d(k),
                "avg": lambda k: nn.AvgPool2d(k, count_include_pad=False)}[pool]
        self.features = nn.Sequential(
            nn.Conv2d(1, 20, 5), Act(), Pool(2),     # 20x24x24 -> 20x12x12
            nn.Conv2d(20, 50, 5), Act(), Pool(2),    # 50x8x8 -> 50x4x4
        )
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(
            nn.Linear(800, 120), Act(),
            nn.Linear(120, 84), Act(),
            nn.Linear(84, 10),
        )

    def forward(self, x):
        return self.classifier(self.flatten(self.features(x)))


# ---------------------------------------------------------------------------
# CNN of paper 002 (Table I) and its architecture-optimized variant (sec. V-E1)
# ---------------------------------------------------------------------------
class CNNS002(nn.Module):
    """conv0 3x3 1->16 p1, ReLU, conv1 3x3 16->64 p1, ReLU, maxpool2,
    conv2 3x3 64->64 p1, ReLU, then either
      gap_last=False: GAP -> conv 1x1 64->10 -> flatten   (Table I)
      gap_last=True : conv 1x1 64->10 -> GAP -> flatten   (sec. V-E1)"""

    def __init__(self, gap_last=False):
        super().__init__()
        self.gap_last = gap_last
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),     # 16x28x28
            nn.Conv2d(16, 64, 3, padding=1), nn.ReLU(),    # 64x28x28
            nn.MaxPool2d(2),                               # 64x14x14
            nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(),    # 64x14x14
        )
        self.gap = nn.AdaptiveAvgPool2d(1)  # exports as GlobalAveragePool
        self.conv_out = nn.Conv2d(64, 10, 1)
        self.flatten = nn.Flatten()

    def forward(self, x):
        x = self.features(x)
        if self.gap_last:
            x = self.gap(self.conv_out(x))
        else:
            x = self.conv_out(self.gap(x))
        return self.flatten(x)


# ---------------------------------------------------------------------------
# ResNet-20 (He et al. 2016, CIFAR variant) with 1 input channel, option-B shortcuts
# ---------------------------------------------------------------------------
class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu2 = nn.ReLU()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride=stride, bias=False),
                nn.BatchNorm2d(cout))
        else:
            self.shortcut = nn.Identity()

    def forward(self, x):
        out = self.relu1(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu2(out + self.shortcut(x))


class ResNet20(nn.Module):
    def __init__(self, num_classes=10, in_ch=1, widths=(16, 32, 64), blocks=3):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, widths[0], 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU()
        layers = []
        cin = widths[0]
        for i, w in enumerate(widths):
            for b in range(blocks):
                stride = 2 if (i > 0 and b == 0) else 1
                layers.append(BasicBlock(cin, w, stride))
                cin = w
        self.layers = nn.Sequential(*layers)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(cin, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        # zero-init the last BN of each residual branch (standard trick)
        for m in self.modules():
            if isinstance(m, BasicBlock):
                nn.init.zeros_(m.bn2.weight)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layers(x)
        return self.fc(self.flatten(self.gap(x)))


# ---------------------------------------------------------------------------
# MobileNetV2-style network for 1x28x28 (Sandler et al. 2018), small
# ---------------------------------------------------------------------------
def conv_bn(cin, cout, k, stride=1, groups=1, act=True):
    """Conv2d (no bias, 'same' padding) + BatchNorm2d [+ ReLU6] as one nn.Sequential
    (fuse_bn() folds every Conv2d directly followed by a BatchNorm2d in a Sequential)."""
    layers = [nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, groups=groups, bias=False),
              nn.BatchNorm2d(cout)]
    if act:
        layers.append(nn.ReLU6())
    return nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    """expand 1x1 + BN + ReLU6, depthwise 3x3 (groups = channels) + BN + ReLU6,
    project 1x1 + BN (linear bottleneck); residual Add when stride 1 and cin == cout."""

    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        self.use_res = stride == 1 and cin == cout
        self.conv = nn.Sequential(
            conv_bn(cin, hidden, 1),
            conv_bn(hidden, hidden, 3, stride=stride, groups=hidden),
            conv_bn(hidden, cout, 1, act=False),
        )

    def forward(self, x):
        y = self.conv(x)
        return x + y if self.use_res else y


class MobileNetV2S(nn.Module):
    # (out channels, stride) of the inverted residual blocks, expansion factor 4
    BLOCKS = ((24, 2), (24, 1), (32, 2), (32, 1), (64, 1), (64, 1))

    def __init__(self, num_classes=10, in_ch=1, stem=16, expand=4, head=128):
        super().__init__()
        layers = [conv_bn(in_ch, stem, 3)]                       # 16x28x28
        cin = stem
        for cout, stride in self.BLOCKS:                         # 24x14x14, 32x7x7, 64x7x7
            layers.append(InvertedResidual(cin, cout, stride, expand))
            cin = cout
        layers.append(conv_bn(cin, head, 1))                     # 128x7x7
        self.features = nn.Sequential(*layers)
        self.gap = nn.AdaptiveAvgPool2d(1)  # exports as GlobalAveragePool
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(head, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.fc(self.flatten(self.gap(self.features(x))))


# ---------------------------------------------------------------------------
# SqueezeNet-style network for 1x28x28 (Iandola et al. 2016), small
# ---------------------------------------------------------------------------
class Fire(nn.Module):
    """squeeze 1x1 + ReLU, then expand 1x1 + ReLU and expand 3x3 (padding 1) + ReLU,
    concatenated on channels (e1 first)."""

    def __init__(self, cin, squeeze, e1, e3):
        super().__init__()
        self.squeeze = nn.Conv2d(cin, squeeze, 1)
        self.squeeze_act = nn.ReLU()
        self.expand1x1 = nn.Conv2d(squeeze, e1, 1)
        self.expand1x1_act = nn.ReLU()
        self.expand3x3 = nn.Conv2d(squeeze, e3, 3, padding=1)
        self.expand3x3_act = nn.ReLU()

    def forward(self, x):
        x = self.squeeze_act(self.squeeze(x))
        return torch.cat([self.expand1x1_act(self.expand1x1(x)),
                          self.expand3x3_act(self.expand3x3(x))], 1)


class SqueezeNetS(nn.Module):
    def __init__(self, num_classes=10, in_ch=1):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_ch, 32, 3, padding=1), nn.ReLU(),          # 32x28x28
            nn.MaxPool2d(3, stride=2, ceil_mode=True),              # 32x14x14 (13x13 with floor)
            Fire(32, 16, 32, 32),                                   # 64x14x14
            Fire(64, 16, 32, 32),                                   # 64x14x14
            nn.MaxPool2d(3, stride=2, ceil_mode=True),              # 64x7x7 (6x6 with floor)
            Fire(64, 24, 48, 48),                                   # 96x7x7
            Fire(96, 32, 64, 64),                                   # 128x7x7
            Fire(128, 32, 64, 64),                                  # 128x7x7
        )
        self.conv_out = nn.Conv2d(128, num_classes, 1)              # 10x7x7, no ReLU
        self.gap = nn.AdaptiveAvgPool2d(1)  # exports as GlobalAveragePool
        self.flatten = nn.Flatten()
        # torchvision's SqueezeNet init (no BN: keeps the activations from shrinking)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                if m is self.conv_out:
                    nn.init.normal_(m.weight, mean=0.0, std=0.01)
                else:
                    nn.init.kaiming_uniform_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.flatten(self.gap(self.conv_out(self.features(x))))


# ---------------------------------------------------------------------------
MODELS = {
    "lenet5": lambda: LeNet5("relu", "max"),
    "lenet5_sigmoid": lambda: LeNet5("sigmoid", "max"),
    "lenet5_avgpool": lambda: LeNet5("relu", "avg"),
    "cnn_s002": lambda: CNNS002(gap_last=False),
    "cnn_s002_archopt": lambda: CNNS002(gap_last=True),
    "resnet20": lambda: ResNet20(),
    "resnet20_c3": lambda: ResNet20(in_ch=3),
    "mobilenet_v2_s": lambda: MobileNetV2S(),
    "squeezenet_s": lambda: SqueezeNetS(),
}

DESCRIPTIONS = {
    "lenet5": "LeNet-5 of paper 003: conv 1->20 5x5, ReLU, maxpool 2, conv 20->50 5x5, "
              "ReLU, maxpool 2, flatten(800), fc 800->120, ReLU, fc 120->84, ReLU, fc 84->10",
    "lenet5_sigmoid": "LeNet-5 of paper 003 with every ReLU replaced by Sigmoid (003 sec. V-C)",
    "lenet5_avgpool": "LeNet-5 of paper 003 with MaxPool replaced by AvgPool 2x2 (003 sec. V-D)",
    "cnn_s002": "MNIST CNN of paper 002 Table I: conv0 3x3 1->16 p1, ReLU, conv1 3x3 16->64 p1, "
                "ReLU, maxpool 2, conv2 3x3 64->64 p1, ReLU, global avg pool, conv 1x1 64->10, flatten",
    "cnn_s002_archopt": "Paper 002 CNN with global average pool moved to the end (002 sec. V-E1): "
                        "... conv2, ReLU, conv 1x1 64->10 (10x14x14), global avg pool, flatten",
    "resnet20": "CIFAR-style ResNet-20 (He et al. 2016) with 1 input channel: conv3x3 1->16+BN+ReLU, "
                "3 stages x 3 BasicBlocks (16/32/64 ch, stride 2 at stages 2,3), option-B shortcut "
                "(1x1 conv stride 2 + BN), residual Add then ReLU, global avg pool, fc 64->10",
    "resnet20_c3": "resnet20 with 3 input channels for 3x32x32 (fmnist32, workloads/train/make_data.py): "
                   "conv3x3 3->16+BN+ReLU, 3 stages x 3 BasicBlocks (16/32/64 ch, stride 2 at stages "
                   "2,3; 32x32, 16x16, 8x8 maps), option-B shortcut (1x1 conv stride 2 + BN), residual "
                   "Add then ReLU, global avg pool, fc 64->10; takes the normalized input",
    "mobilenet_v2_s": "Small MobileNetV2 (Sandler et al. 2018) for 1x28x28: conv3x3 1->16+BN+ReLU6, "
                      "6 inverted residual blocks (expand 1x1 x4 + BN + ReLU6, depthwise 3x3 + BN + "
                      "ReLU6, project 1x1 + BN; residual Add when stride 1 and channels match) "
                      "16->24 s2, 24->24, 24->32 s2, 32->32, 32->64, 64->64, conv1x1 64->128+BN+ReLU6, "
                      "global avg pool, fc 128->10 (BN folded, ReLU6 = Clip)",
    "squeezenet_s": "Small SqueezeNet (Iandola et al. 2016) for 1x28x28: conv3x3 1->32 p1+ReLU, "
                    "maxpool 3x3 s2 ceil_mode, Fire(16;32+32) x2, maxpool 3x3 s2 ceil_mode, "
                    "Fire(24;48+48), Fire(32;64+64) x2 (Fire = squeeze 1x1+ReLU, expand 1x1+ReLU and "
                    "expand 3x3 p1+ReLU, Concat on channels), conv1x1 128->10, global avg pool, flatten",
}


# [C, H, W] of one input image and the dataset of each model (default: 1x28x28 Fashion-MNIST).
INPUT_SHAPES = {"resnet20_c3": (3, 32, 32)}
DATASETS = {"resnet20_c3": "fmnist32"}


def input_shape(name):
    return INPUT_SHAPES.get(name, (1, 28, 28))


def dataset(name):
    return DATASETS.get(name, "fashion-mnist")


def build(name):
    return MODELS[name]()


def weights_per_layer(model):
    """Weight counts (excluding bias and BN parameters) of each Conv/Linear layer,
    in module registration order (= forward order for these models)."""
    out = []
    for mname, m in model.named_modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            out.append((mname, m.weight.numel()))
    return out


def fuse_bn(model):
    """Return an eval-mode copy of `model` with every BatchNorm2d folded into the
    preceding Conv2d (BN replaced by Identity). Same math as the BN folding done
    by torch.onnx.export in eval mode. Handles ResNet20's named pairs and, in any
    model, a Conv2d directly followed by a BatchNorm2d inside an nn.Sequential."""
    import copy
    from torch.nn.utils.fusion import fuse_conv_bn_eval
    m = copy.deepcopy(model).eval()
    pairs = []
    if isinstance(m, ResNet20):
        pairs.append((m, "conv1", m, "bn1"))
        for blk in m.layers:
            pairs.append((blk, "conv1", blk, "bn1"))
            pairs.append((blk, "conv2", blk, "bn2"))
            if isinstance(blk.shortcut, nn.Sequential):
                pairs.append((blk.shortcut, "0", blk.shortcut, "1"))
    for seq in m.modules():
        if isinstance(seq, nn.Sequential):
            names = [k for k, _ in seq.named_children()]
            for a, b in zip(names, names[1:]):
                if isinstance(getattr(seq, a), nn.Conv2d) and isinstance(getattr(seq, b), nn.BatchNorm2d) \
                        and (seq, a, seq, b) not in pairs:
                    pairs.append((seq, a, seq, b))
    for cp, cn, bp, bn in pairs:
        fused = fuse_conv_bn_eval(getattr(cp, cn), getattr(bp, bn))
        setattr(cp, cn, fused)
        setattr(bp, bn, nn.Identity())
    assert not any(isinstance(x, nn.BatchNorm2d) for x in m.modules())
    return m


def weight_modules_in_forward_order(model, shape=(1, 28, 28)):
    """Conv2d/Linear modules in the order they are executed (via forward hooks) on one
    input image of `shape` [C, H, W]."""
    order = []
    hooks = [mod.register_forward_hook(lambda mod, i, o: order.append(mod))
             for mod in model.modules() if isinstance(mod, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model.eval()(torch.zeros(1, *shape))
    for h in hooks:
        h.remove()
    return order


def load_onnx_weights(model, onnx_path):
    """Copy the Conv/Gemm weights and biases of an ONNX file into `model` (in place).
    BN is folded first when the ONNX graph has no BatchNormalization node, so the
    returned module may be a (fused) copy: always use the return value.
    Conv/Gemm nodes are matched to Conv2d/Linear modules in execution order (shapes checked)."""
    import onnx
    from onnx import numpy_helper
    g = onnx.load(onnx_path).graph
    inits = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    for n in g.node:  # the exporter shares identical initializers through Identity nodes
        if n.op_type == "Identity" and n.input[0] in inits:
            inits[n.output[0]] = inits[n.input[0]]
    nodes = [n for n in g.node if n.op_type in ("Conv", "Gemm")]
    has_bn = any(n.op_type == "BatchNormalization" for n in g.node)
    model = model.eval()
    if not has_bn and any(isinstance(x, nn.BatchNorm2d) for x in model.modules()):
        model = fuse_bn(model)
    dims = g.input[0].type.tensor_type.shape.dim[1:]  # [C, H, W] after the batch axis
    mods = weight_modules_in_forward_order(model, tuple(d.dim_value for d in dims))
    assert len(mods) == len(nodes), (len(mods), len(nodes))
    with torch.no_grad():
        for mod, n in zip(mods, nodes):
            w = torch.from_numpy(inits[n.input[1]].copy())
            if n.op_type == "Gemm":
                attrs = {a.name: a for a in n.attribute}
                if not (attrs.get("transB") and attrs["transB"].i == 1):
                    w = w.t()
            assert tuple(w.shape) == tuple(mod.weight.shape), (n.name, w.shape, mod.weight.shape)
            mod.weight.copy_(w)
            if len(n.input) > 2:
                b = torch.from_numpy(inits[n.input[2]].copy())
                if mod.bias is None:
                    mod.bias = nn.Parameter(b)
                else:
                    mod.bias.copy_(b)
            elif mod.bias is not None:
                mod.bias.zero_()
    return model.eval()


def from_onnx(name, onnx_path):
    """Rebuild zoo model `name` as an eager PyTorch module carrying the weights of
    an ONNX file (see load_onnx_weights)."""
    return load_onnx_weights(build(name), onnx_path)


if __name__ == "__main__":
    for n in MODELS:
        m = build(n).eval()
        y = m(torch.zeros(2, *input_shape(n)))
        w = weights_per_layer(m)
        print(n, tuple(y.shape), [c for _, c in w], sum(c for _, c in w))
