// Post-processing unit: data movement around hw_models/arithmetic.h, and its cycle costs.
#include "hw_models/post_processing.h"

#include <algorithm>
#include <limits>

#include "hw_models/arithmetic.h"
#include "hw_models/ppu_ops.h"

namespace safsim {
namespace {

// Visits the valid input indices of output (c, oy, ox); returns the window size for averaging.
template <class F>
int for_window(const QLayer& q, const WindowGeom& g, int c, int oy, int ox, F&& f) {
  const Shape& is = q.in_shape;
  const PoolWindow w = pool_window(g, is, oy, ox);
  for (int iy = w.y0; iy < w.y1; ++iy) {
    for (int ix = w.x0; ix < w.x1; ++ix) {
      f((size_t(c) * is.h + iy) * is.w + ix);
    }
  }
  return w.divisor;
}

}  // namespace

PostProcessingUnit::PostProcessingUnit(const sc_core::sc_module_name& name, const QuantModel& qm,
                                       int lanes, int latency_cycles)
    : sc_core::sc_module(name), qm_(qm), lanes_(lanes), latency_(latency_cycles) {}

uint64_t PostProcessingUnit::cost(uint64_t work) const {
  return (work + lanes_ - 1) / lanes_ + latency_;
}

uint64_t PostProcessingUnit::submit(uint64_t job_cost, uint64_t now) {
  const uint64_t start = std::max(now, busy_until_);
  busy_until_ = start + job_cost;
  stats_.busy_cycles += job_cost;
  return busy_until_;
}

void PostProcessingUnit::begin_image(int64_t image_index) {
  flips_.clear();
  if (plan_ != nullptr && plan_->active()) {
    flips_ = plan_->flips(image_index);
  }
}

template <class Written>
void PostProcessingUnit::apply_flips(int layer, ActivationStore& store, Written&& written) const {
  for (const ActivationFlip& f : flips_) {
    if (f.layer != layer || !written(f.element)) {
      continue;
    }
    if (qm_.is_float()) {
      float& v = store.values[layer][size_t(f.element)];
      v = ActivationFaultPlan::flip_value(v, f.mask);
    } else {
      int32_t& v = store.codes[layer][size_t(f.element)];
      v = plan_->flip_code(v, f);
    }
  }
}

bool ppu_reads_input(const QLayer& q, int input, int64_t element) {
  switch (q.kind) {
    case QOpKind::kAdd:
    case QOpKind::kGlobalAvgPool:
    case QOpKind::kUnary:
    case QOpKind::kMul:
      return true;
    case QOpKind::kConcat: {
      const int64_t channel = element / (int64_t{q.out_shape.h} * q.out_shape.w);
      return std::find(q.channel_map.begin(), q.channel_map.end(),
                       ChannelSource{input, static_cast<int>(channel)}) != q.channel_map.end();
    }
    case QOpKind::kMaxPool:
    case QOpKind::kAvgPool: {
      // Does some output window cover input (iy, ix)?
      const WindowGeom& g = q.geom;
      const Shape& is = q.in_shape;
      const int64_t iy = element / is.w % is.h, ix = element % is.w;
      const auto covered = [](int64_t i, int outs, int stride, int pad, int kernel) {
        for (int o = 0; o < outs; ++o) {
          const int64_t k = i - (int64_t{o} * stride - pad);
          if (k >= 0 && k < kernel) {
            return true;
          }
        }
        return false;
      };
      return covered(iy, q.out_shape.h, g.stride_h, g.pad_top, g.kernel_h) &&
             covered(ix, q.out_shape.w, g.stride_w, g.pad_left, g.kernel_w);
    }
    case QOpKind::kFlatten:  // renames its input's words, reads none
    case QOpKind::kArray:    // read by the array, not the PPU
      return false;
  }
  return false;
}

bool PostProcessingUnit::reads_input(int layer, int input, int64_t element) const {
  return ppu_reads_input(qm_.layers[size_t(layer)], input, element);
}

uint64_t PostProcessingUnit::finish_tile(const LayerPlan& plan, const TilePlan& tile,
                                         const int64_t* acc, const float* acc_float,
                                         ActivationStore& store) {
  const QLayer& q = qm_.layers[plan.layer];
  const size_t t_count = plan.tokens;
  for (int j = 0; j < tile.pixels; ++j) {
    const size_t t = size_t(tile.t0) + j;
    for (int c = 0; c < tile.channels; ++c) {
      const int o = tile.o0 + c;
      const size_t a = size_t(j) * plan.pixel_stride + size_t(c) * plan.channel_stride;
      if (qm_.is_float()) {
        store.values[plan.layer][o * t_count + t] = post_process_float(acc_float[a], o, q);
      } else {
        store.codes[plan.layer][o * t_count + t] =
            post_process_int(acc[a], o, q, qm_.accumulator_bits);
      }
    }
  }
  if (!flips_.empty()) {
    apply_flips(plan.layer, store, [&](int64_t e) {
      const int64_t o = e / int64_t(t_count) - tile.o0, t = e % int64_t(t_count) - tile.t0;
      return o >= 0 && o < tile.channels && t >= 0 && t < tile.pixels;
    });
  }
  const uint64_t n = uint64_t(tile.pixels) * tile.channels;
  stats_.elements += n;
  return cost(n);
}

void PostProcessingUnit::pool_int(const QLayer& q, const int32_t* in, int32_t* out) const {
  const WindowGeom g = pool_geometry(q);
  const Shape& os = q.out_shape;
  for (int c = 0; c < os.c; ++c) {
    for (int oy = 0; oy < os.h; ++oy) {
      for (int ox = 0; ox < os.w; ++ox) {
        int64_t sum = 0;
        int32_t mx = std::numeric_limits<int32_t>::min();
        const int n = for_window(q, g, c, oy, ox, [&](size_t i) {
          sum += in[i];
          mx = std::max(mx, in[i]);
        });
        out[(size_t(c) * os.h + oy) * os.w + ox] =
            q.kind == QOpKind::kMaxPool ? mx : avg_pool_int(sum, n, q);
      }
    }
  }
}

void PostProcessingUnit::pool_float(const QLayer& q, const float* in, float* out) const {
  const WindowGeom g = pool_geometry(q);
  const Shape& os = q.out_shape;
  for (int c = 0; c < os.c; ++c) {
    for (int oy = 0; oy < os.h; ++oy) {
      for (int ox = 0; ox < os.w; ++ox) {
        float sum = 0.0f;
        float mx = -std::numeric_limits<float>::infinity();
        const int n = for_window(q, g, c, oy, ox, [&](size_t i) {
          sum += in[i];
          mx = std::max(mx, in[i]);
        });
        out[(size_t(c) * os.h + oy) * os.w + ox] =
            q.kind == QOpKind::kMaxPool ? mx : sum / static_cast<float>(n);
      }
    }
  }
}

uint64_t PostProcessingUnit::run_layer(int layer, ActivationStore& store) {
  const QLayer& q = qm_.layers[layer];
  const bool fp = qm_.is_float();
  const size_t out_n = q.out_shape.size();
  uint64_t work = 0;
  switch (q.kind) {
    case QOpKind::kMaxPool:
    case QOpKind::kAvgPool:
    case QOpKind::kGlobalAvgPool: {
      const WindowGeom g = pool_geometry(q);
      fp ? pool_float(q, store.values_of(q.inputs[0]), store.values[layer].data())
         : pool_int(q, store.codes_of(q.inputs[0]), store.codes[layer].data());
      work = out_n * g.kernel_h * g.kernel_w;
      break;
    }
    case QOpKind::kAdd:
      for (size_t i = 0; i < out_n; ++i) {
        if (fp) {
          const float v = store.values_of(q.inputs[0])[i] + store.values_of(q.inputs[1])[i];
          store.values[layer][i] = q.add_relu && v < 0.0f ? 0.0f : v;
        } else {
          store.codes[layer][i] =
              residual_add_int(store.codes_of(q.inputs[0])[i], store.codes_of(q.inputs[1])[i], q);
        }
      }
      work = 2 * out_n;
      break;
    case QOpKind::kUnary:
      fp ? unary_chw(q, store.values_of(q.inputs[0]), store.values[layer].data())
         : unary_chw(q, store.codes_of(q.inputs[0]), store.codes[layer].data());
      work = out_n;
      break;
    case QOpKind::kConcat: {
      if (fp) {
        std::vector<const float*> ins;
        for (int in : q.inputs) {
          ins.push_back(store.values_of(in));
        }
        concat_chw(q, ins, store.values[layer].data());
      } else {
        std::vector<const int32_t*> ins;
        for (int in : q.inputs) {
          ins.push_back(store.codes_of(in));
        }
        concat_chw(q, ins, store.codes[layer].data());
      }
      work = out_n;
      break;
    }
    case QOpKind::kMul: {
      const Shape& bs = q.inputs[1] < 0 ? qm_.input_shape : qm_.layers[q.inputs[1]].out_shape;
      fp ? mul_chw(q, bs, store.values_of(q.inputs[0]), store.values_of(q.inputs[1]),
                   store.values[layer].data())
         : mul_chw(q, bs, store.codes_of(q.inputs[0]), store.codes_of(q.inputs[1]),
                   store.codes[layer].data());
      work = 2 * out_n;
      break;
    }
    case QOpKind::kFlatten:
      fp ? store.values[layer].assign(store.values_of(q.inputs[0]),
                                      store.values_of(q.inputs[0]) + out_n)
         : store.codes[layer].assign(store.codes_of(q.inputs[0]),
                                     store.codes_of(q.inputs[0]) + out_n);
      return 0;  // CHW order is already the flattened order: no data moves
    case QOpKind::kArray:
      return 0;
  }
  if (!flips_.empty()) {
    apply_flips(layer, store, [](int64_t) { return true; });
  }
  stats_.elements += out_n;
  return cost(work);
}

}  // namespace safsim
