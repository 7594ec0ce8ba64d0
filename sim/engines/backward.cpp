// Backward pass (backward.h): reverse-mode over the QuantModel's layer list, one image at a time,
// CHW tensors as floats; each array layer's two products are Eigen GEMMs over im2col columns.
#include "sim/engines/backward.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "hw_models/arithmetic.h"

namespace safsim {
namespace {

using RowMatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Calls f(k, p, offset) for every (row k, column p) of group `group`'s im2col matrix of layer q:
// offset indexes the CHW input, or is -1 - c for a padding tap of input channel c.
template <class F>
void for_each_tap(const QLayer& q, int group, F&& f) {
  const Shape& is = q.in_shape;
  const Shape& os = q.out_shape;
  const WindowGeom& g = q.geom;
  int k = 0;
  for (int c = group * q.group_in(); c < (group + 1) * q.group_in(); ++c) {
    for (int kh = 0; kh < g.kernel_h; ++kh) {
      for (int kw = 0; kw < g.kernel_w; ++kw, ++k) {
        for (int oy = 0; oy < os.h; ++oy) {
          const int y = oy * g.stride_h - g.pad_top + kh * g.dilation_h;
          for (int ox = 0; ox < os.w; ++ox) {
            const int x = ox * g.stride_w - g.pad_left + kw * g.dilation_w;
            const bool inside = y >= 0 && y < is.h && x >= 0 && x < is.w;
            f(k, oy * os.w + ox, inside ? (int64_t{c} * is.h + y) * is.w + x : int64_t{-1} - c);
          }
        }
      }
    }
  }
}

// Calls f(c, out_offset, ya, yb, xa, xb, window) for every channel of every pooling window: the
// window's input rows [ya, yb) and columns [xa, xb), and its size as the engine counts it
// (tensor_ops.cpp: padding counted only when asked).
template <class F>
void for_each_window(const QLayer& q, F&& f) {
  const Shape& is = q.in_shape;
  const Shape& os = q.out_shape;
  const WindowGeom g = pool_geometry(q);
  for (int oy = 0; oy < os.h; ++oy) {
    for (int ox = 0; ox < os.w; ++ox) {
      const PoolWindow w = pool_window(g, is, oy, ox);
      for (int c = 0; c < is.c; ++c) {
        f(c, (int64_t{c} * os.h + oy) * os.w + ox, w.y0, w.y1, w.x0, w.x1, w.divisor);
      }
    }
  }
}

// Whether the slope of the layer's activation needs the pre-activation value.
bool needs_pre_activation(const QLayer& q) {
  return q.activation == Activation::kLut &&
         (q.unary.fn == UnaryFn::kSilu || q.unary.fn == UnaryFn::kHardSwish);
}

// d(activation)/d(pre-activation) at output `out` (pre-activation `pre` where needed).
float activation_slope(const QLayer& q, float out, float pre, int channel) {
  switch (q.activation) {
    case Activation::kNone:
      return 1.0f;
    case Activation::kRelu:
      return out > 0.0f ? 1.0f : 0.0f;
    case Activation::kClip:
      return out > q.unary.lo && out < q.unary.hi ? 1.0f : 0.0f;
    case Activation::kSloped:
      return out >= 0.0f ? 1.0f : q.unary.negative_slope(channel);
    case Activation::kLut:
      break;
  }
  switch (q.unary.fn) {
    case UnaryFn::kSigmoid:
      return out * (1.0f - out);
    case UnaryFn::kTanh:
      return 1.0f - out * out;
    case UnaryFn::kHardSigmoid:
      return out > 0.0f && out < 1.0f ? q.unary.alpha : 0.0f;
    case UnaryFn::kHardSwish:
      return pre <= -3.0f ? 0.0f : pre >= 3.0f ? 1.0f : (2.0f * pre + 3.0f) / 6.0f;
    case UnaryFn::kSilu: {
      const float sg = 1.0f / (1.0f + std::exp(-pre));
      return sg * (1.0f + pre * (1.0f - sg));
    }
    default:
      return 1.0f;
  }
}

}  // namespace

std::vector<std::vector<float>> dequantized_activations(const QuantModel& qm,
                                                        const FunctionalEngine& forward,
                                                        const uint8_t* image) {
  LayerActivations la = forward.activations(image);
  if (qm.is_float()) {
    return std::move(la.values);
  }
  std::vector<std::vector<float>> v(qm.layers.size());
  for (size_t l = 0; l < qm.layers.size(); ++l) {
    v[l].resize(la.codes[l].size());
    for (size_t i = 0; i < v[l].size(); ++i) {
      v[l][i] = dequantize(la.codes[l][i], qm.layers[l].out_q);
    }
  }
  return v;
}

std::vector<float> dequantized_input(const QuantModel& qm, const uint8_t* image) {
  std::vector<float> x(size_t(qm.input_shape.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = qm.is_float() ? float(image[i]) / 255.0f
                         : dequantize(quantize_pixel(image[i], qm.input_q), qm.input_q);
  }
  return x;
}

double softmax_cross_entropy(const std::vector<double>& logits, int label,
                             std::vector<double>* grad) {
  const double top = *std::max_element(logits.begin(), logits.end());
  double sum = 0.0;
  for (double z : logits) {
    sum += std::exp(z - top);
  }
  const double log_sum = top + std::log(sum);
  if (grad) {
    grad->resize(logits.size());
    for (size_t c = 0; c < logits.size(); ++c) {
      (*grad)[c] = std::exp(logits[c] - log_sum) - (int(c) == label ? 1.0 : 0.0);
    }
  }
  return log_sum - logits[size_t(label)];
}

struct BackwardPass::Impl {
  const QuantModel& qm;
  const FunctionalEngine& forward;
  std::vector<std::vector<float>> weights;  // real, O x K per array layer

  void array_backward(int li, const std::vector<float>& in, const std::vector<float>& out,
                      std::vector<float>& g_out, std::vector<float>* g_in,
                      std::vector<float>& dw) const;
  void pool_backward(const QLayer& q, const std::vector<float>& in, const std::vector<float>& g,
                     std::vector<float>& g_in) const;
};

void BackwardPass::Impl::array_backward(int li, const std::vector<float>& in,
                                        const std::vector<float>& out, std::vector<float>& g_out,
                                        std::vector<float>* g_in, std::vector<float>& dw) const {
  const QLayer& q = qm.layers[size_t(li)];
  const int kc = q.reduction, oc = q.out_channels, og = q.group_out();
  const int pc = q.out_shape.h * q.out_shape.w;
  const ActQuant& in_q = q.inputs[0] < 0 ? qm.input_q : qm.layers[size_t(q.inputs[0])].out_q;
  // The real value a padding tap of channel c reads (0 unless a normalization was folded in).
  const auto pad = [&](int64_t off) {
    const size_t c = size_t(-1 - off);
    if (qm.is_float()) {
      return q.pad_value.empty() ? 0.0f : q.pad_value[c];
    }
    return q.pad_code.empty() ? 0.0f : dequantize(q.pad_code[c], in_q);
  };
  Eigen::Map<const RowMatF> w(weights[size_t(li)].data(), oc, kc);
  dw.resize(size_t(oc) * kc);
  std::vector<RowMatF> cols(size_t(q.groups));
  for (int g = 0; g < q.groups; ++g) {
    cols[size_t(g)] = RowMatF::Zero(kc, pc);
    for_each_tap(q, g, [&](int k, int p, int64_t off) {
      cols[size_t(g)](k, p) = off >= 0 ? in[size_t(off)] : pad(off);
    });
  }
  // Through the fused activation: dL/d(pre-activation). Functions whose slope their output does
  // not determine (SiLU, HardSwish) take it from the recomputed pre-activation.
  std::vector<float> pre;
  if (needs_pre_activation(q)) {
    pre.resize(size_t(oc) * pc);
    for (int g = 0; g < q.groups; ++g) {
      Eigen::Map<RowMatF>(pre.data() + size_t(g) * og * pc, og, pc).noalias() =
          w.middleRows(g * og, og) * cols[size_t(g)];
    }
    for (int o = 0; o < oc; ++o) {
      const float b = qm.is_float()
                          ? q.bias_float[size_t(o)]
                          : float(q.bias[size_t(o)]) * in_q.scale * q.weight_scale[size_t(o)];
      for (int p = 0; p < pc; ++p) {
        pre[size_t(o) * pc + p] += b;
      }
    }
  }
  for (size_t i = 0; i < g_out.size(); ++i) {
    const int o = int(i / size_t(pc));
    g_out[i] *= activation_slope(q, out[i], pre.empty() ? 0.0f : pre[i], o);
  }
  Eigen::Map<const RowMatF> dy(g_out.data(), oc, pc);
  Eigen::Map<RowMatF> dwm(dw.data(), oc, kc);
  for (int g = 0; g < q.groups; ++g) {
    dwm.middleRows(g * og, og).noalias() = dy.middleRows(g * og, og) * cols[size_t(g)].transpose();
    if (g_in == nullptr) {
      continue;
    }
    const RowMatF dcols = w.middleRows(g * og, og).transpose() * dy.middleRows(g * og, og);
    for_each_tap(q, g, [&](int k, int p, int64_t off) {
      if (off >= 0) {
        (*g_in)[size_t(off)] += dcols(k, p);
      }
    });
  }
}

void BackwardPass::Impl::pool_backward(const QLayer& q, const std::vector<float>& in,
                                       const std::vector<float>& g,
                                       std::vector<float>& g_in) const {
  const Shape& is = q.in_shape;
  for_each_window(q, [&](int c, int64_t o, int ya, int yb, int xa, int xb, int window) {
    const float go = g[size_t(o)];
    if (q.kind == QOpKind::kMaxPool) {
      // The first maximum in scan order: std::max keeps the earlier value on ties.
      int64_t best = -1;
      float best_v = -std::numeric_limits<float>::infinity();
      for (int y = ya; y < yb; ++y) {
        for (int x = xa; x < xb; ++x) {
          const int64_t off = (int64_t{c} * is.h + y) * is.w + x;
          if (best < 0 || in[size_t(off)] > best_v) {
            best = off;
            best_v = in[size_t(off)];
          }
        }
      }
      if (best >= 0) {
        g_in[size_t(best)] += go;
      }
      return;
    }
    const float share = go / float(window);
    for (int y = ya; y < yb; ++y) {
      for (int x = xa; x < xb; ++x) {
        g_in[size_t((int64_t{c} * is.h + y) * is.w + x)] += share;
      }
    }
  });
}

BackwardPass::BackwardPass(const QuantModel& qm, const DeployedWeights& dw,
                           const FunctionalEngine& forward)
    : impl_(std::make_unique<Impl>(Impl{qm, forward, {}})) {
  impl_->weights.resize(qm.layers.size());
  for (size_t l = 0; l < qm.layers.size(); ++l) {
    const QLayer& q = qm.layers[l];
    if (q.kind != QOpKind::kArray) {
      continue;
    }
    const std::vector<uint32_t> words = dw.read_path.decode_words(dw.stored[l]);
    std::vector<float>& w = impl_->weights[l];
    w.resize(words.size());
    for (size_t i = 0; i < words.size(); ++i) {
      const int o = int(i / size_t(q.reduction));
      w[i] = qm.is_float()
                 ? dw.read_path.format.to_float(words[i])
                 : q.weight_scale[size_t(o)] * float(dw.read_path.format.to_int(words[i]));
    }
  }
}

BackwardPass::~BackwardPass() = default;

const std::vector<std::vector<float>>& BackwardPass::real_weights() const { return impl_->weights; }

WeightGradient BackwardPass::weight_gradient(const uint8_t* image, int label, double* loss) const {
  const QuantModel& qm = impl_->qm;
  const size_t n = qm.layers.size();
  if (label < 0 || label >= qm.classes()) {
    throw std::invalid_argument("BackwardPass: label out of range");
  }
  const std::vector<std::vector<float>> act = dequantized_activations(qm, impl_->forward, image);
  const std::vector<float> input = dequantized_input(qm, image);
  std::vector<std::vector<float>> g(n);
  for (size_t l = 0; l < n; ++l) {
    g[l].assign(act[l].size(), 0.0f);
  }
  const std::vector<double> logits(act.back().begin(), act.back().end());
  std::vector<double> dz;
  const double ce = softmax_cross_entropy(logits, label, &dz);
  if (loss) {
    *loss = ce;
  }
  std::copy(dz.begin(), dz.end(), g.back().begin());
  WeightGradient grad(n);
  for (size_t l = n; l-- > 0;) {
    const QLayer& q = qm.layers[l];
    const int src = q.inputs[0];
    std::vector<float>* g_in = src >= 0 ? &g[size_t(src)] : nullptr;
    const std::vector<float>& in = src >= 0 ? act[size_t(src)] : input;
    switch (q.kind) {
      case QOpKind::kArray:
        impl_->array_backward(int(l), in, act[l], g[l], g_in, grad[l]);
        break;
      case QOpKind::kMaxPool:
      case QOpKind::kAvgPool:
      case QOpKind::kGlobalAvgPool:
        if (g_in) {
          impl_->pool_backward(q, in, g[l], *g_in);
        }
        break;
      case QOpKind::kAdd:
        for (size_t i = 0; i < g[l].size(); ++i) {
          const float gi = (!q.add_relu || act[l][i] > 0.0f) ? g[l][i] : 0.0f;
          for (const int s : q.inputs) {
            if (s >= 0) {
              g[size_t(s)][i] += gi;
            }
          }
        }
        break;
      case QOpKind::kFlatten:  // CHW order is kept: the identity on the element order
        if (g_in) {
          for (size_t i = 0; i < g[l].size(); ++i) {
            (*g_in)[i] += g[l][i];
          }
        }
        break;
      case QOpKind::kUnary:
        if (g_in) {
          const int64_t plane = int64_t{q.in_shape.h} * q.in_shape.w;
          for (size_t i = 0; i < g[l].size(); ++i) {
            const int c = int(int64_t(i) / plane);
            (*g_in)[i] += g[l][i] * activation_slope(q, act[l][i], in[i], c);
          }
        }
        break;
      case QOpKind::kConcat: {
        const int64_t plane = int64_t{q.out_shape.h} * q.out_shape.w;
        for (size_t c = 0; c < q.channel_map.size(); ++c) {
          const int from = q.inputs[size_t(q.channel_map[c].input)];
          if (from < 0) {
            continue;
          }
          for (int64_t p = 0; p < plane; ++p) {
            g[size_t(from)][size_t(q.channel_map[c].channel * plane + p)] +=
                g[l][size_t(int64_t(c) * plane + p)];
          }
        }
        break;
      }
      case QOpKind::kMul: {
        const int a = q.inputs[0], b = q.inputs[1];
        const std::vector<float>& va = a >= 0 ? act[size_t(a)] : input;
        const std::vector<float>& vb = b >= 0 ? act[size_t(b)] : input;
        const int64_t plane = int64_t{q.out_shape.h} * q.out_shape.w;
        const bool broadcast = vb.size() != va.size();
        for (size_t i = 0; i < g[l].size(); ++i) {
          const size_t bi = broadcast ? size_t(int64_t(i) / plane) : i;
          if (a >= 0) {
            g[size_t(a)][i] += g[l][i] * vb[bi];
          }
          if (b >= 0) {
            g[size_t(b)][bi] += g[l][i] * va[i];
          }
        }
        break;
      }
    }
  }
  return grad;
}

}  // namespace safsim
