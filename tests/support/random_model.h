// Builders of small float models with odd shapes for engine tests (no ONNX file needed).
#pragma once

#include <random>
#include <string>
#include <vector>

#include "workloads/dataset.h"
#include "workloads/model.h"

namespace safsim::test {

/// Appends layers to a Model, computing shapes; weights drawn uniformly from [-0.5, 0.5].
class ModelBuilder {
 public:
  ModelBuilder(Shape input, unsigned seed) : rng_(seed) {
    m_.name = "random";
    m_.input_shape = input;
  }

  int conv(int from, int out_c, int k, int stride, int pad, bool linear = false) {
    Layer l = base(LayerKind::kConv2d, from, "Conv");
    l.geom = WindowGeom{k, k, stride, stride, pad, pad, pad, pad, false};
    l.is_linear = linear;
    l.out_shape = {out_c, (l.in_shape.h + 2 * pad - k) / stride + 1,
                   (l.in_shape.w + 2 * pad - k) / stride + 1};
    std::uniform_real_distribution<float> u(-0.5f, 0.5f);
    l.weight.resize(size_t(out_c) * l.in_shape.c * k * k);
    for (float& w : l.weight) {
      w = u(rng_);
    }
    l.bias.resize(out_c);
    for (float& b : l.bias) {
      b = 0.2f * u(rng_);
    }
    return add(std::move(l));
  }
  int act(int from, LayerKind kind) {
    Layer l = base(kind, from, kind == LayerKind::kRelu ? "Relu" : "Sigmoid");
    l.out_shape = l.in_shape;
    return add(std::move(l));
  }
  int pool(int from, LayerKind kind, int k, int stride, int pad, bool include_pad = false) {
    Layer l = base(kind, from, "Pool");
    l.geom = WindowGeom{k, k, stride, stride, pad, pad, pad, pad, include_pad};
    l.out_shape = {l.in_shape.c, (l.in_shape.h + 2 * pad - k) / stride + 1,
                   (l.in_shape.w + 2 * pad - k) / stride + 1};
    return add(std::move(l));
  }
  int global_pool(int from) {
    Layer l = base(LayerKind::kGlobalAvgPool, from, "GlobalAveragePool");
    l.out_shape = {l.in_shape.c, 1, 1};
    return add(std::move(l));
  }
  int flatten(int from) {
    Layer l = base(LayerKind::kFlatten, from, "Flatten");
    l.out_shape = {static_cast<int>(l.in_shape.size()), 1, 1};
    return add(std::move(l));
  }
  int residual(int a, int b) {
    Layer l = base(LayerKind::kAdd, a, "Add");
    l.inputs.push_back(b);
    l.out_shape = l.in_shape;
    return add(std::move(l));
  }
  /// A grouped (groups > 1; depthwise when groups == channels) and/or dilated convolution;
  /// `pad_value` pads the input with one value per channel (a folded normalization).
  int grouped_conv(int from, int out_c, int k, int stride, int pad, int groups, int dilation = 1,
                   std::vector<float> pad_value = {}) {
    Layer l = base(LayerKind::kConv2d, from, "Conv");
    l.groups = groups;
    l.geom = WindowGeom{k, k, stride, stride, pad, pad, pad, pad, false, dilation, dilation};
    const int extent = (k - 1) * dilation + 1;
    l.out_shape = {out_c, (l.in_shape.h + 2 * pad - extent) / stride + 1,
                   (l.in_shape.w + 2 * pad - extent) / stride + 1};
    std::uniform_real_distribution<float> u(-0.5f, 0.5f);
    l.weight.resize(size_t(out_c) * (l.in_shape.c / groups) * k * k);
    for (float& w : l.weight) {
      w = u(rng_);
    }
    l.bias.resize(out_c);
    for (float& b : l.bias) {
      b = 0.2f * u(rng_);
    }
    l.pad_value = std::move(pad_value);
    return add(std::move(l));
  }
  /// An elementwise activation of the kUnary kind.
  int unary(int from, UnaryOp op) {
    Layer l = base(LayerKind::kUnary, from, to_string(op.fn));
    l.unary = std::move(op);
    l.out_shape = l.in_shape;
    return add(std::move(l));
  }
  static UnaryOp fn(UnaryFn f, float alpha = 0.0f, float beta = 0.0f) {
    UnaryOp op;
    op.fn = f;
    op.alpha = alpha;
    op.beta = beta;
    return op;
  }
  static UnaryOp clip(float lo, float hi) {
    UnaryOp op;
    op.fn = UnaryFn::kClip;
    op.lo = lo;
    op.hi = hi;
    return op;
  }
  /// Channel gather: output channel i is channel map[i].second of layer map[i].first's output.
  int gather(const std::vector<int>& from, const std::vector<ChannelSource>& map) {
    Layer l = base(LayerKind::kConcat, from[0], "Concat");
    l.inputs = from;
    l.channel_map = map;
    l.out_shape = {static_cast<int>(map.size()), l.in_shape.h, l.in_shape.w};
    return add(std::move(l));
  }
  int concat(int a, int b) {
    const Shape sa = shape_of(a), sb = shape_of(b);
    std::vector<ChannelSource> map;
    for (int c = 0; c < sa.c; ++c) {
      map.push_back({0, c});
    }
    for (int c = 0; c < sb.c; ++c) {
      map.push_back({1, c});
    }
    return gather({a, b}, map);
  }
  int mul(int a, int b) {
    Layer l = base(LayerKind::kMul, a, "Mul");
    l.inputs.push_back(b);
    l.out_shape = l.in_shape;
    return add(std::move(l));
  }
  /// Max/average pooling with ceil_mode output sizes.
  int ceil_pool(int from, LayerKind kind, int k, int stride, int pad, bool include_pad = false) {
    Layer l = base(kind, from, "Pool");
    l.geom = WindowGeom{k, k, stride, stride, pad, pad, pad, pad, include_pad};
    const auto out = [&](int in) {
      int o = (in + 2 * pad - k + stride - 1) / stride + 1;
      if ((o - 1) * stride >= in + pad) {
        --o;
      }
      return o;
    };
    l.out_shape = {l.in_shape.c, out(l.in_shape.h), out(l.in_shape.w)};
    return add(std::move(l));
  }
  Shape shape_of(int layer) const {
    return layer < 0 ? m_.input_shape : m_.layers[layer].out_shape;
  }
  Model build() const { return m_; }

 private:
  Layer base(LayerKind kind, int from, const std::string& op) {
    Layer l;
    l.kind = kind;
    l.onnx_op = op;
    l.name = op + "_" + std::to_string(m_.layers.size());
    l.inputs = {from};
    l.in_shape = from < 0 ? m_.input_shape : m_.layers[from].out_shape;
    return l;
  }
  int add(Layer l) {
    m_.layers.push_back(std::move(l));
    return static_cast<int>(m_.layers.size()) - 1;
  }

  Model m_;
  std::mt19937 rng_;
};

/// Random images (uniform pixels) with random labels.
inline Dataset random_images(Shape shape, int count, unsigned seed) {
  std::mt19937 rng(seed);
  Dataset d;
  d.name = "random";
  d.shape = shape;
  d.count = count;
  d.pixels.resize(size_t(count) * shape.size());
  for (uint8_t& p : d.pixels) {
    p = static_cast<uint8_t>(rng() & 0xFF);
  }
  d.labels.resize(count);
  for (int32_t& l : d.labels) {
    l = static_cast<uint8_t>(rng() % 10);
  }
  return d;
}

/// A model with every op the engines support: strided padded conv, odd kernels, max and average
/// pooling (with and without counted padding), a residual add, global pooling, flatten, linear.
inline Model odd_shapes_model(unsigned seed, bool sigmoid = false) {
  ModelBuilder b({3, 13, 11}, seed);
  int x = b.conv(-1, 5, 3, 2, 1);  // 5x7x6
  x = b.act(x, sigmoid ? LayerKind::kSigmoid : LayerKind::kRelu);
  int y = b.conv(x, 6, 3, 1, 1);  // 6x7x6
  y = b.act(y, LayerKind::kRelu);
  int z = b.conv(x, 6, 1, 1, 0);  // 6x7x6
  int s = b.residual(y, z);
  s = b.act(s, LayerKind::kRelu);
  int p = b.pool(s, LayerKind::kAvgPool, 3, 1, 1, false);  // 6x7x6
  p = b.pool(p, LayerKind::kMaxPool, 2, 2, 0);             // 6x3x3
  int q = b.conv(p, 7, 2, 1, 0);                           // 7x2x2
  q = b.pool(q, LayerKind::kAvgPool, 2, 1, 1, true);       // 7x3x3
  int f = b.flatten(q);                                    // 63
  int h = b.conv(f, 9, 1, 1, 0, true);
  h = b.act(h, LayerKind::kRelu);
  int g = b.global_pool(s);
  (void)g;
  b.conv(h, 10, 1, 1, 0, true);
  return b.build();
}

/// Every op of the MobileNet/SqueezeNet/ShuffleNet families: grouped, depthwise and dilated
/// convolutions, a padded input normalization, fused and stand-alone activations of every kind,
/// concat of differently scaled branches, a channel shuffle and a slice, a squeeze-and-excitation
/// gate, ceil-mode pooling and a global max pool.
/// `normalized_input` pads the first convolution with a folded normalization's mean.
inline Model new_ops_model(unsigned seed, bool normalized_input = true) {
  ModelBuilder b({2, 11, 13}, seed);
  int x = b.grouped_conv(-1, 8, 3, 1, 1, 1, 1,  // 8x11x13, padded with the mean
                         normalized_input ? std::vector<float>{0.3f, 0.6f} : std::vector<float>{});
  x = b.unary(x, ModelBuilder::clip(0.0f, 6.0f));               // ReLU6, fused
  int d = b.grouped_conv(x, 8, 3, 2, 1, 8);                     // depthwise 8x6x7
  d = b.unary(d, ModelBuilder::fn(UnaryFn::kLeakyRelu, 0.1f));  // fused
  int g = b.grouped_conv(x, 6, 3, 2, 2, 2, 2);                  // grouped, dilated: 6x6x7
  g = b.unary(g, ModelBuilder::fn(UnaryFn::kHardSwish));        // fused
  int c = b.concat(d, g);                                       // 14x6x7, two scales
  c = b.unary(c, ModelBuilder::fn(UnaryFn::kTanh));             // stand-alone table
  std::vector<ChannelSource> shuffle;
  for (int i = 0; i < 7; ++i) {
    for (int j = 0; j < 2; ++j) {
      shuffle.push_back({0, j * 7 + i});
    }
  }
  int s = b.gather({c}, shuffle);  // channel shuffle, 14 channels
  int half = b.gather({s}, {{0, 1}, {0, 3}, {0, 5}, {0, 7}, {0, 8}, {0, 9}});  // a slice
  int gate = b.flatten(b.global_pool(half));                                   // 6
  gate = b.act(b.conv(gate, 3, 1, 1, 0, true), LayerKind::kRelu);
  gate = b.conv(gate, 6, 1, 1, 0, true);
  gate = b.unary(gate, ModelBuilder::fn(UnaryFn::kHardSigmoid, 0.2f, 0.5f));
  int e = b.mul(half, gate);  // squeeze-and-excitation
  e = b.unary(e, ModelBuilder::fn(UnaryFn::kSilu));
  int p = b.ceil_pool(e, LayerKind::kMaxPool, 3, 2, 0);        // 6x3x3 (ceil)
  int a = b.ceil_pool(e, LayerKind::kAvgPool, 2, 2, 1, true);  // 6x4x5 (ceil, with pad)
  a = b.grouped_conv(a, 6, 2, 1, 0, 3);                        // 6x3x4
  UnaryOp prelu;
  prelu.fn = UnaryFn::kPRelu;
  prelu.slope = {0.25f, -0.5f, 0.0f, 1.5f, 0.1f, 0.3f};
  a = b.unary(a, prelu);                                // fused, with a negative slope
  int m = b.grouped_conv(p, 6, 1, 1, 0, 1);             // 6x3x3
  m = b.unary(m, ModelBuilder::fn(UnaryFn::kSigmoid));  // fused table
  int top = b.pool(m, LayerKind::kMaxPool, 3, 1, 0);    // global max: 6x1x1
  int f1 = b.flatten(top);
  int f2 = b.flatten(b.global_pool(a));
  int both = b.gather({f1, f2}, {{0, 0},
                                 {0, 1},
                                 {0, 2},
                                 {0, 3},
                                 {0, 4},
                                 {0, 5},
                                 {1, 0},
                                 {1, 1},
                                 {1, 2},
                                 {1, 3},
                                 {1, 4},
                                 {1, 5}});
  int h = b.conv(both, 9, 1, 1, 0, true);
  h = b.unary(h, ModelBuilder::fn(UnaryFn::kHardSwish));
  h = b.unary(h, ModelBuilder::clip(-1.0f, 2.0f));  // stand-alone clip
  int out = b.mul(h, h);                            // a square: signed x signed
  b.conv(out, 10, 1, 1, 0, true);
  return b.build();
}

/// Conv -> (ReLU) -> MaxPool chains, as in LeNet-5: the functional engine pools accumulators.
inline Model conv_pool_model(unsigned seed) {
  ModelBuilder b({1, 12, 12}, seed);
  int x = b.conv(-1, 4, 3, 1, 0);  // 4x10x10
  x = b.act(x, LayerKind::kRelu);
  x = b.pool(x, LayerKind::kMaxPool, 2, 2, 0);  // 4x5x5
  int y = b.conv(x, 6, 2, 1, 1);                // 6x6x6, no activation
  y = b.pool(y, LayerKind::kMaxPool, 3, 2, 1);  // 6x3x3, padded window
  int z = b.conv(y, 5, 2, 1, 0);                // 5x2x2
  z = b.act(z, LayerKind::kSigmoid);
  z = b.pool(z, LayerKind::kMaxPool, 2, 1, 0);  // 5x1x1
  int f = b.flatten(z);
  b.conv(f, 10, 1, 1, 0, true);
  return b.build();
}

}  // namespace safsim::test
