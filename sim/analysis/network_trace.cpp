// Fault-free trace of one image: direct convolution in integers (exact), the post-processing,
// pooling and residual rules of hw_models/arithmetic.h.
#include "sim/analysis/network_trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "base/errors.h"
#include "hw_models/arithmetic.h"

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

DecodedModel::DecodedModel(const QuantModel& m, const DeployedWeights& w) : qm(m) {
  if (qm.is_float()) {
    throw UserError(
        "safsim analyze works on the integer deployment (quant.weight_format twos_complement "
        "or offset_binary); float formats have no activation codes to flip");
  }
  weights.resize(qm.layers.size());
  for (size_t li = 0; li < qm.layers.size(); ++li) {
    const QLayer& q = qm.layers[li];
    if (q.kind == QOpKind::kAdd && (q.inputs[0] < 0 || q.inputs[1] < 0)) {
      throw UserError(fmt::format(
          "safsim analyze: residual add '{}' reads the input image, which has no activation "
          "words; only adds of two layer outputs are supported",
          q.name));
    }
    if (q.kind != QOpKind::kArray) {
      continue;
    }
    const std::vector<uint32_t> words = w.read_path.decode_words(w.stored[li]);
    ArrayLayerWeights& aw = weights[li];
    const int kc = q.reduction, oc = q.out_channels;
    aw.oik.resize(size_t(oc) * kc);
    aw.kio.resize(size_t(oc) * kc);
    for (int o = 0; o < oc; ++o) {
      for (int k = 0; k < kc; ++k) {
        const int32_t v = w.read_path.format.to_int(words[size_t(o) * kc + k]);
        aw.oik[size_t(o) * kc + k] = v;
        aw.kio[size_t(k) * oc + o] = v;
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
    }
  }
  t.top1 = top1_of(t.codes.back().data(), qm.classes());
}

}  // namespace safsim
