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
  for (uint8_t& l : d.labels) {
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
