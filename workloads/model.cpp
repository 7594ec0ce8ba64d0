// fp32 reference executor of the graph IR, one CHW image at a time. Written for clarity: it is the
// golden model that calibration and the integer engines are checked against.
#include "workloads/model.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

namespace safsim {

const char* to_string(LayerKind k) {
  switch (k) {
    case LayerKind::kConv2d:
      return "conv2d";
    case LayerKind::kRelu:
      return "relu";
    case LayerKind::kSigmoid:
      return "sigmoid";
    case LayerKind::kMaxPool:
      return "max_pool";
    case LayerKind::kAvgPool:
      return "avg_pool";
    case LayerKind::kGlobalAvgPool:
      return "global_avg_pool";
    case LayerKind::kFlatten:
      return "flatten";
    case LayerKind::kAdd:
      return "add";
    case LayerKind::kUnary:
      return "unary";
    case LayerKind::kConcat:
      return "concat";
    case LayerKind::kMul:
      return "mul";
  }
  return "unknown";
}

const char* to_string(UnaryFn f) {
  switch (f) {
    case UnaryFn::kClip:
      return "clip";
    case UnaryFn::kLeakyRelu:
      return "leaky_relu";
    case UnaryFn::kPRelu:
      return "prelu";
    case UnaryFn::kTanh:
      return "tanh";
    case UnaryFn::kHardSigmoid:
      return "hard_sigmoid";
    case UnaryFn::kHardSwish:
      return "hard_swish";
    case UnaryFn::kSilu:
      return "silu";
    case UnaryFn::kSigmoid:
      return "sigmoid";
  }
  return "unknown";
}

namespace {

template <class T>
T apply_unary(const UnaryOp& op, T x, int channel) {
  const T zero = 0, one = 1, six = 6, half = T(0.5);
  switch (op.fn) {
    case UnaryFn::kClip:
      return std::min(std::max(x, T(op.lo)), T(op.hi));
    case UnaryFn::kLeakyRelu:
    case UnaryFn::kPRelu:
      return x < zero ? T(op.negative_slope(channel)) * x : x;
    case UnaryFn::kTanh:
      return std::tanh(x);
    case UnaryFn::kHardSigmoid:
      return std::max(zero, std::min(one, T(op.alpha) * x + T(op.beta)));
    case UnaryFn::kHardSwish:
      return x * std::max(zero, std::min(one, x / six + half));
    case UnaryFn::kSilu:
      return x / (one + std::exp(-x));
    case UnaryFn::kSigmoid:
      return one / (one + std::exp(-x));
  }
  return x;
}

}  // namespace

float UnaryOp::apply(float x, int channel) const { return apply_unary(*this, x, channel); }
double UnaryOp::apply(double x, int channel) const { return apply_unary(*this, x, channel); }

float UnaryOp::negative_slope(int channel) const {
  switch (fn) {
    case UnaryFn::kLeakyRelu:
      return alpha;
    case UnaryFn::kPRelu:
      return slope.size() == 1 ? slope[0] : slope.at(size_t(channel));
    default:
      return 1.0f;
  }
}

int64_t Model::weight_count() const {
  int64_t n = 0;
  for (const Layer& l : layers) {
    if (l.kind == LayerKind::kConv2d) {
      n += l.weight_count();
    }
  }
  return n;
}

namespace {

using Tensor = std::vector<float>;

/// Output positions [first, last) whose input coordinate pos * stride - pad + k lies in
/// [0, in_size): the others read zero padding, so the convolution skips them.
std::pair<int, int> valid_outputs(int out_size, int in_size, int stride, int pad, int k) {
  int first = 0;
  while (first < out_size && first * stride - pad + k < 0) {
    ++first;
  }
  int last = out_size;
  while (last > first && (last - 1) * stride - pad + k >= in_size) {
    --last;
  }
  return {first, last};
}

// Loops over (o, c, ky, kx) outermost so that the innermost loop is a plain multiply-add over one
// output row; the padding is handled by clipping the output range, not by a test per MAC. A
// padding value other than 0 (a folded input normalization) adds its taps separately.
Tensor conv2d(const Layer& l, const Tensor& in) {
  const Shape& is = l.in_shape;
  const Shape& os = l.out_shape;
  const WindowGeom& g = l.geom;
  const int group_in = is.c / l.groups;
  const int group_out = os.c / l.groups;
  Tensor out(os.size());
  for (int o = 0; o < os.c; ++o) {
    float* plane = out.data() + int64_t{o} * os.h * os.w;
    std::fill(plane, plane + int64_t{os.h} * os.w, l.bias.empty() ? 0.0f : l.bias[o]);
    const int c0 = o / group_out * group_in;
    for (int ci = 0; ci < group_in; ++ci) {
      const int c = c0 + ci;
      const float* in_plane = in.data() + int64_t{c} * is.h * is.w;
      for (int ky = 0; ky < g.kernel_h; ++ky) {
        const int dy = ky * g.dilation_h;
        const auto [y0, y1] = valid_outputs(os.h, is.h, g.stride_h, g.pad_top, dy);
        for (int kx = 0; kx < g.kernel_w; ++kx) {
          const int dx = kx * g.dilation_w;
          const auto [x0, x1] = valid_outputs(os.w, is.w, g.stride_w, g.pad_left, dx);
          const float wt =
              l.weight[((int64_t{o} * group_in + ci) * g.kernel_h + ky) * g.kernel_w + kx];
          for (int y = y0; y < y1; ++y) {
            const float* in_row = in_plane + int64_t{y * g.stride_h - g.pad_top + dy} * is.w;
            float* out_row = plane + int64_t{y} * os.w;
            for (int x = x0; x < x1; ++x) {
              out_row[x] += wt * in_row[x * g.stride_w - g.pad_left + dx];
            }
          }
          if (l.pad_value.empty() || l.pad_value[size_t(c)] == 0.0f) {
            continue;
          }
          const float pad = wt * l.pad_value[size_t(c)];
          for (int y = 0; y < os.h; ++y) {
            for (int x = 0; x < os.w; ++x) {
              if (y < y0 || y >= y1 || x < x0 || x >= x1) {
                plane[int64_t{y} * os.w + x] += pad;
              }
            }
          }
        }
      }
    }
  }
  return out;
}

// Max and average pooling. Padded positions never win a max; for the average they count in the
// divisor only with count_include_pad (ONNX AveragePool semantics).
Tensor pool(const Layer& l, const Tensor& in, bool is_max) {
  const Shape& is = l.in_shape;
  const Shape& os = l.out_shape;
  const WindowGeom& g = l.geom;
  Tensor out(os.size());
  for (int c = 0; c < os.c; ++c) {
    for (int y = 0; y < os.h; ++y) {
      for (int x = 0; x < os.w; ++x) {
        float max = -std::numeric_limits<float>::infinity();
        double sum = 0.0;
        int inside = 0;  // window positions on the image
        int padded = 0;  // window positions on the image or its padding
        for (int ky = 0; ky < g.kernel_h; ++ky) {
          const int iy = y * g.stride_h - g.pad_top + ky;
          for (int kx = 0; kx < g.kernel_w; ++kx) {
            const int ix = x * g.stride_w - g.pad_left + kx;
            if (iy < -g.pad_top || iy >= is.h + g.pad_bottom || ix < -g.pad_left ||
                ix >= is.w + g.pad_right) {
              continue;
            }
            ++padded;
            if (iy < 0 || iy >= is.h || ix < 0 || ix >= is.w) {
              continue;
            }
            const float v = in[(int64_t{c} * is.h + iy) * is.w + ix];
            max = std::max(max, v);
            sum += v;
            ++inside;
          }
        }
        const int divisor = g.count_include_pad ? padded : inside;
        float& dst = out[(int64_t{c} * os.h + y) * os.w + x];
        if (is_max) {
          dst = max;
        } else {
          dst = divisor > 0 ? static_cast<float>(sum / divisor) : 0.0f;
        }
      }
    }
  }
  return out;
}

Tensor global_avg_pool(const Layer& l, const Tensor& in) {
  const Shape& is = l.in_shape;
  const int64_t plane = int64_t{is.h} * is.w;
  Tensor out(is.c);
  for (int c = 0; c < is.c; ++c) {
    double sum = 0.0;
    for (int64_t i = 0; i < plane; ++i) {
      sum += in[c * plane + i];
    }
    out[c] = static_cast<float>(sum / plane);
  }
  return out;
}

Tensor run_layer(const Layer& l, const std::vector<const Tensor*>& ins) {
  const Tensor& in = *ins.at(0);
  switch (l.kind) {
    case LayerKind::kConv2d:
      return conv2d(l, in);
    case LayerKind::kRelu: {
      Tensor out(in.size());
      std::transform(in.begin(), in.end(), out.begin(), [](float v) { return std::max(v, 0.0f); });
      return out;
    }
    case LayerKind::kSigmoid: {
      Tensor out(in.size());
      std::transform(in.begin(), in.end(), out.begin(),
                     [](float v) { return 1.0f / (1.0f + std::exp(-v)); });
      return out;
    }
    case LayerKind::kMaxPool:
      return pool(l, in, /*is_max=*/true);
    case LayerKind::kAvgPool:
      return pool(l, in, /*is_max=*/false);
    case LayerKind::kGlobalAvgPool:
      return global_avg_pool(l, in);
    case LayerKind::kFlatten:
      return in;  // CHW order already is the flattened order
    case LayerKind::kAdd: {
      const Tensor& other = *ins.at(1);
      Tensor out(in.size());
      std::transform(in.begin(), in.end(), other.begin(), out.begin(), std::plus<float>());
      return out;
    }
    case LayerKind::kUnary: {
      Tensor out(in.size());
      const int64_t plane = int64_t{l.in_shape.h} * l.in_shape.w;
      for (size_t i = 0; i < in.size(); ++i) {
        out[i] = l.unary.apply(in[i], static_cast<int>(int64_t(i) / plane));
      }
      return out;
    }
    case LayerKind::kConcat: {
      const int64_t plane = int64_t{l.out_shape.h} * l.out_shape.w;
      Tensor out(l.out_shape.size());
      for (size_t c = 0; c < l.channel_map.size(); ++c) {
        const ChannelSource& src = l.channel_map[c];
        const float* from = ins.at(size_t(src.input))->data() + src.channel * plane;
        std::copy(from, from + plane, out.begin() + int64_t(c) * plane);
      }
      return out;
    }
    case LayerKind::kMul: {
      const Tensor& other = *ins.at(1);
      const int64_t plane = int64_t{l.out_shape.h} * l.out_shape.w;
      const bool broadcast = other.size() != in.size();  // C x 1 x 1 over H x W
      Tensor out(in.size());
      for (size_t i = 0; i < in.size(); ++i) {
        out[i] = in[i] * other[broadcast ? size_t(int64_t(i) / plane) : i];
      }
      return out;
    }
  }
  throw std::logic_error("run_float: unknown layer kind");
}

}  // namespace

std::vector<float> run_float(const Model& m, const std::vector<float>& image,
                             std::vector<std::vector<float>>* activations) {
  if (m.layers.empty()) {
    throw std::invalid_argument("run_float: model '" + m.name + "' has no layers");
  }
  if (static_cast<int64_t>(image.size()) != m.input_shape.size()) {
    throw std::invalid_argument("run_float: image has " + std::to_string(image.size()) +
                                " values, model '" + m.name + "' expects " +
                                std::to_string(m.input_shape.size()));
  }
  // Every output is kept because residual adds may read any earlier layer.
  std::vector<Tensor> outs(m.layers.size());
  for (size_t i = 0; i < m.layers.size(); ++i) {
    const Layer& l = m.layers[i];
    std::vector<const Tensor*> ins;
    for (int src : l.inputs) {
      ins.push_back(src < 0 ? &image : &outs.at(src));
    }
    outs[i] = run_layer(l, ins);
  }
  std::vector<float> result = outs.back();
  if (activations != nullptr) {
    *activations = std::move(outs);
  }
  return result;
}

}  // namespace safsim
