// Direct-loop reference of the accelerator arithmetic (integer formats).
#include "sim/engines/reference.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "hw_models/arithmetic.h"
#include "hw_models/ppu_ops.h"

namespace safsim {
namespace {

using Tensor = std::vector<int32_t>;

Tensor conv(const QuantModel& qm, const QLayer& q, const DeployedWeights& w, int li,
            const Tensor& in) {
  const Shape& is = q.in_shape;
  const Shape& os = q.out_shape;
  const WindowGeom& g = q.geom;
  const std::vector<uint32_t> words = w.read_path.decode_words(w.stored[li]);
  Tensor out(os.size());
  for (int o = 0; o < os.c; ++o) {
    for (int oy = 0; oy < os.h; ++oy) {
      for (int ox = 0; ox < os.w; ++ox) {
        int64_t acc = 0;
        const int c0 = o / q.group_out() * q.group_in();
        for (int ci = 0; ci < q.group_in(); ++ci) {
          const int c = c0 + ci;
          for (int ky = 0; ky < g.kernel_h; ++ky) {
            for (int kx = 0; kx < g.kernel_w; ++kx) {
              const int iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
              const int ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
              const bool inside = iy >= 0 && iy < is.h && ix >= 0 && ix < is.w;
              if (!inside && q.pad_code.empty()) {
                continue;
              }
              const int k = (ci * g.kernel_h + ky) * g.kernel_w + kx;
              const int32_t wv = w.read_path.format.to_int(words[size_t(o) * q.reduction + k]);
              const int32_t x =
                  inside ? in[(size_t(c) * is.h + iy) * is.w + ix] : q.pad_code[size_t(c)];
              acc += int64_t{wv} * x;
            }
          }
        }
        out[(size_t(o) * os.h + oy) * os.w + ox] = post_process_int(acc, o, q, qm.accumulator_bits);
      }
    }
  }
  return out;
}

Tensor pool(const QLayer& q, const Tensor& in) {
  const Shape& is = q.in_shape;
  const Shape& os = q.out_shape;
  const WindowGeom g = pool_geometry(q);
  Tensor out(os.size());
  for (int c = 0; c < os.c; ++c) {
    for (int oy = 0; oy < os.h; ++oy) {
      for (int ox = 0; ox < os.w; ++ox) {
        int64_t sum = 0;
        int32_t mx = std::numeric_limits<int32_t>::min();
        const PoolWindow w = pool_window(g, is, oy, ox);
        for (int iy = w.y0; iy < w.y1; ++iy) {
          for (int ix = w.x0; ix < w.x1; ++ix) {
            const int32_t v = in[(size_t(c) * is.h + iy) * is.w + ix];
            sum += v;
            mx = std::max(mx, v);
          }
        }
        out[(size_t(c) * os.h + oy) * os.w + ox] =
            q.kind == QOpKind::kMaxPool ? mx : avg_pool_int(sum, w.divisor, q);
      }
    }
  }
  return out;
}

}  // namespace

std::vector<std::vector<int32_t>> reference_run(const QuantModel& qm, const DeployedWeights& w,
                                                const uint8_t* image,
                                                const ActivationFaultPlan* plan,
                                                int64_t image_index) {
  const std::vector<ActivationFlip> flips =
      plan ? plan->flips(image_index) : std::vector<ActivationFlip>{};
  if (qm.is_float()) {
    throw std::invalid_argument("reference_run: integer formats only");
  }
  Tensor input(qm.input_shape.size());
  for (size_t i = 0; i < input.size(); ++i) {
    input[i] = quantize_pixel(image[i], qm.input_q);
  }
  std::vector<Tensor> acts(qm.layers.size());
  for (size_t li = 0; li < qm.layers.size(); ++li) {
    const QLayer& q = qm.layers[li];
    const Tensor& in = q.inputs[0] < 0 ? input : acts[q.inputs[0]];
    switch (q.kind) {
      case QOpKind::kArray:
        acts[li] = conv(qm, q, w, static_cast<int>(li), in);
        break;
      case QOpKind::kMaxPool:
      case QOpKind::kAvgPool:
      case QOpKind::kGlobalAvgPool:
        acts[li] = pool(q, in);
        break;
      case QOpKind::kAdd: {
        const Tensor& b = q.inputs[1] < 0 ? input : acts[q.inputs[1]];
        acts[li].resize(in.size());
        for (size_t i = 0; i < in.size(); ++i) {
          acts[li][i] = residual_add_int(in[i], b[i], q);
        }
        break;
      }
      case QOpKind::kFlatten:
        acts[li] = in;  // CHW order is already the flattened order
        break;
      case QOpKind::kUnary:
        acts[li].resize(in.size());
        unary_chw(q, in.data(), acts[li].data());
        break;
      case QOpKind::kConcat: {
        std::vector<const int32_t*> ins;
        for (int src : q.inputs) {
          ins.push_back(src < 0 ? input.data() : acts[size_t(src)].data());
        }
        acts[li].resize(size_t(q.out_shape.size()));
        concat_chw(q, ins, acts[li].data());
        break;
      }
      case QOpKind::kMul: {
        const int b = q.inputs[1];
        const Tensor& bt = b < 0 ? input : acts[size_t(b)];
        const Shape& bs = b < 0 ? qm.input_shape : qm.layers[size_t(b)].out_shape;
        acts[li].resize(in.size());
        mul_chw(q, bs, in.data(), bt.data(), acts[li].data());
        break;
      }
    }
    for (const ActivationFlip& f : flips) {
      if (f.layer == static_cast<int>(li)) {
        acts[li][f.element] = plan->flip_code(acts[li][f.element], f);
      }
    }
  }
  return acts;
}

}  // namespace safsim
