// Fault-free trace of one image: direct convolution in integers (exact), the post-processing,
// pooling and residual rules of hw_models/arithmetic.h.
#include "sim/analysis/network_trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "base/errors.h"
#include "hw_models/arithmetic.h"
#include "hw_models/ppu_ops.h"

namespace safsim {
namespace {

// acc[o, oy, ox] = sum over the window of w * x; padding reads code 0 (zero point 0).
void convolve(const QLayer& q, const ArrayLayerWeights& w, const std::vector<int32_t>& in,
              std::vector<int64_t>& acc) {
  const Shape& is = q.in_shape;
  const Shape& os = q.out_shape;
  const WindowGeom& g = q.geom;
  const int kc = q.reduction;
  const int64_t ohw = int64_t{os.h} * os.w;
  acc.assign(os.size(), 0);
  std::vector<int32_t> col(kc);
  for (int oy = 0; oy < os.h; ++oy) {
    for (int ox = 0; ox < os.w; ++ox) {
      // The input window of this output position in (c, kh, kw) order, as the weight rows.
      for (int c = 0; c < is.c; ++c) {
        for (int ky = 0; ky < g.kernel_h; ++ky) {
          const int iy = oy * g.stride_h - g.pad_top + ky;
          for (int kx = 0; kx < g.kernel_w; ++kx) {
            const int ix = ox * g.stride_w - g.pad_left + kx;
            const bool inside = iy >= 0 && iy < is.h && ix >= 0 && ix < is.w;
            col[(c * g.kernel_h + ky) * g.kernel_w + kx] =
                inside ? in[(size_t(c) * is.h + iy) * is.w + ix] : 0;
          }
        }
      }
      for (int o = 0; o < os.c; ++o) {
        const int32_t* wr = w.oik.data() + size_t(o) * kc;
        int64_t s = 0;
        for (int k = 0; k < kc; ++k) {
          s += int64_t{wr[k]} * col[k];
        }
        acc[o * ohw + int64_t{oy} * os.w + ox] = s;
      }
    }
  }
}

void pool(const QLayer& q, const std::vector<int32_t>& in, std::vector<int32_t>& out,
          std::vector<int64_t>& sums) {
  const Shape& is = q.in_shape;
  const Shape& os = q.out_shape;
  const WindowGeom g = pool_geometry(q);
  out.resize(os.size());
  sums.assign(q.kind == QOpKind::kMaxPool ? 0 : os.size(), 0);
  for (int c = 0; c < os.c; ++c) {
    for (int oy = 0; oy < os.h; ++oy) {
      for (int ox = 0; ox < os.w; ++ox) {
        const PoolWindow w = pool_window(g, is, oy, ox);
        const int ya = w.y0, yb = w.y1, xa = w.x0, xb = w.x1;
        int64_t sum = 0;
        int32_t mx = std::numeric_limits<int32_t>::min();
        for (int y = ya; y < yb; ++y) {
          for (int x = xa; x < xb; ++x) {
            const int32_t v = in[(size_t(c) * is.h + y) * is.w + x];
            sum += v;
            mx = std::max(mx, v);
          }
        }
        const int window = w.divisor;
        const size_t e = (size_t(c) * os.h + oy) * os.w + ox;
        out[e] = q.kind == QOpKind::kMaxPool ? mx : avg_pool_int(sum, window, q);
        if (q.kind != QOpKind::kMaxPool) {
          sums[e] = sum;
        }
      }
    }
  }
}

}  // namespace

int top1_of(const int32_t* codes, int n) {
  int best = 0;
  for (int c = 1; c < n; ++c) {
    if (codes[c] > codes[best]) {
      best = c;
    }
  }
  return best;
}

namespace {

// The dense equivalent of a grouped and/or dilated array layer's O x K codes: K becomes
// C x KH' x KW' with KH' = (KH - 1) * dilation + 1, zero outside the group and between taps.
std::vector<int32_t> densify(QLayer& q, const std::vector<int32_t>& oik) {
  const WindowGeom g = q.geom;
  const int kh = g.extent_h(), kw = g.extent_w();
  const int c_all = q.in_shape.c, cg = q.group_in(), og = q.group_out();
  const int k_dense = c_all * kh * kw;
  std::vector<int32_t> dense(size_t(q.out_channels) * k_dense, 0);
  for (int o = 0; o < q.out_channels; ++o) {
    const int c0 = o / og * cg;
    for (int ci = 0; ci < cg; ++ci) {
      for (int y = 0; y < g.kernel_h; ++y) {
        for (int x = 0; x < g.kernel_w; ++x) {
          const int k = (ci * g.kernel_h + y) * g.kernel_w + x;
          const int kd = ((c0 + ci) * kh + y * g.dilation_h) * kw + x * g.dilation_w;
          dense[size_t(o) * k_dense + kd] = oik[size_t(o) * q.reduction + k];
        }
      }
    }
  }
  q.groups = 1;
  q.reduction = k_dense;
  q.geom.kernel_h = kh;
  q.geom.kernel_w = kw;
  q.geom.dilation_h = q.geom.dilation_w = 1;
  return dense;
}

}  // namespace

DecodedModel::DecodedModel(const QuantModel& m, const DeployedWeights& w) : qm(m) {
  if (qm.is_float()) {
    throw UserError(
        "safsim analyze works on the integer deployment (quant.weight_format twos_complement "
        "or offset_binary); float formats have no activation codes to flip");
  }
  weights.resize(qm.layers.size());
  for (size_t li = 0; li < qm.layers.size(); ++li) {
    QLayer& q = qm.layers[li];
    const bool reads_image =
        std::any_of(q.inputs.begin(), q.inputs.end(), [](int s) { return s < 0; });
    if (reads_image && q.inputs.size() > 1) {
      throw UserError(fmt::format(
          "safsim analyze: layer '{}' ({}) reads the input image, which has no activation "
          "words; only layers of two layer outputs are supported",
          q.name, to_string(q.kind)));
    }
    if (q.kind != QOpKind::kArray) {
      continue;
    }
    if (!q.pad_code.empty()) {
      throw UserError(fmt::format(
          "safsim analyze: layer '{}' pads its input with a folded normalization's mean; the "
          "analyses assume zero padding (export the model without the in-graph normalization)",
          q.name));
    }
    const std::vector<uint32_t> words = w.read_path.decode_words(w.stored[li]);
    ArrayLayerWeights& aw = weights[li];
    aw.oik.resize(words.size());
    for (size_t i = 0; i < words.size(); ++i) {
      aw.oik[i] = w.read_path.format.to_int(words[i]);
    }
    if (q.groups > 1 || q.geom.dilation_h > 1 || q.geom.dilation_w > 1) {
      aw.oik = densify(q, aw.oik);
    }
    const int kc = q.reduction, oc = q.out_channels;
    aw.kio.resize(size_t(oc) * kc);
    for (int o = 0; o < oc; ++o) {
      for (int k = 0; k < kc; ++k) {
        aw.kio[size_t(k) * oc + o] = aw.oik[size_t(o) * kc + k];
      }
    }
  }
}

void trace_image(const DecodedModel& m, const uint8_t* image, ImageTrace& t) {
  const QuantModel& qm = m.qm;
  std::vector<int32_t> input(qm.input_shape.size());
  for (size_t i = 0; i < input.size(); ++i) {
    input[i] = quantize_pixel(image[i], qm.input_q);
  }
  t.codes.resize(qm.layers.size());
  t.acc.resize(qm.layers.size());
  for (size_t li = 0; li < qm.layers.size(); ++li) {
    const QLayer& q = qm.layers[li];
    const std::vector<int32_t>& in = q.inputs[0] < 0 ? input : t.codes[q.inputs[0]];
    std::vector<int32_t>& out = t.codes[li];
    switch (q.kind) {
      case QOpKind::kArray: {
        convolve(q, m.weights[li], in, t.acc[li]);
        const int64_t ohw = int64_t{q.out_shape.h} * q.out_shape.w;
        out.resize(q.out_shape.size());
        for (size_t e = 0; e < out.size(); ++e) {
          out[e] =
              post_process_int(t.acc[li][e], static_cast<int>(e / ohw), q, qm.accumulator_bits);
        }
        break;
      }
      case QOpKind::kMaxPool:
      case QOpKind::kAvgPool:
      case QOpKind::kGlobalAvgPool:
        pool(q, in, out, t.acc[li]);
        break;
      case QOpKind::kAdd: {
        const std::vector<int32_t>& b = q.inputs[1] < 0 ? input : t.codes[q.inputs[1]];
        out.resize(in.size());
        for (size_t i = 0; i < in.size(); ++i) {
          out[i] = residual_add_int(in[i], b[i], q);
        }
        break;
      }
      case QOpKind::kFlatten:
        out = in;  // CHW order is the flattened order
        break;
      case QOpKind::kUnary:
        out.resize(in.size());
        unary_chw(q, in.data(), out.data());
        break;
      case QOpKind::kConcat: {
        std::vector<const int32_t*> ins;
        for (int src : q.inputs) {
          ins.push_back(src < 0 ? input.data() : t.codes[size_t(src)].data());
        }
        out.resize(size_t(q.out_shape.size()));
        concat_chw(q, ins, out.data());
        break;
      }
      case QOpKind::kMul: {
        const int b = q.inputs[1];
        out.resize(in.size());
        mul_chw(q, qm.layers[size_t(b)].out_shape, in.data(), t.codes[size_t(b)].data(),
                out.data());
        break;
      }
    }
  }
  t.top1 = top1_of(t.codes.back().data(), qm.classes());
}

}  // namespace safsim
