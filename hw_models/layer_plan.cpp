// The dataflow-independent part of a layer's plan (docs/timing.md, "Mapping"): sizes, buffer fit
// checks, the im2col table, and the row folds every dataflow cuts the reduction into.
#include "hw_models/layer_plan.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/errors.h"

namespace safsim {
namespace {

constexpr int64_t kAccumulatorBytes = 4;  // psum buffer entry: int32 or fp32

int64_t kib_to_bytes(double kib) { return static_cast<int64_t>(kib * 1024.0); }

// T x (G x K) input indices: token t, group g, row k reads input element idx[(t * G + g) * K + k];
// a padding cell holds -1 - c, so that its channel's pad code can be looked up (pad_code).
std::vector<int32_t> build_im2col(const QLayer& q, int tokens) {
  const int k_count = q.reduction;
  std::vector<int32_t> idx(size_t(tokens) * q.groups * k_count);
  if (q.is_linear) {
    for (int k = 0; k < k_count; ++k) {
      idx[k] = k;  // the flattened input vector, T = 1
    }
    return idx;
  }
  const Shape& is = q.in_shape;
  const WindowGeom& g = q.geom;
  for (int t = 0; t < tokens; ++t) {
    const int oy = t / q.out_shape.w;
    const int ox = t % q.out_shape.w;
    for (int grp = 0; grp < q.groups; ++grp) {
      int32_t* row = &idx[(size_t(t) * q.groups + grp) * k_count];
      for (int k = 0; k < k_count; ++k) {
        const int c = grp * q.group_in() + k / (g.kernel_h * g.kernel_w);
        const int ky = (k / g.kernel_w) % g.kernel_h;
        const int kx = k % g.kernel_w;
        const int iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
        const int ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
        const bool inside = iy >= 0 && iy < is.h && ix >= 0 && ix < is.w;
        row[k] = inside ? (c * is.h + iy) * is.w + ix : -1 - c;
      }
    }
  }
  return idx;
}

}  // namespace

void check_buffer_fits(const QLayer& q, const char* what, const char* key, int64_t needed,
                       double capacity_kib) {
  if (needed > kib_to_bytes(capacity_kib)) {
    throw ConfigError(fmt::format(
        "layer '{}': {} needs {:.2f} KiB per buffer half but accelerator.{}.capacity_kib is {} "
        "KiB; raise it to at least {:.2f}",
        q.name, what, needed / 1024.0, key, capacity_kib, needed / 1024.0));
  }
}

int64_t psum_capacity(const AcceleratorConfig& cfg) {
  return kib_to_bytes(cfg.ofmap_sram.capacity_kib) / kAccumulatorBytes;
}

void add_row_folds(LayerPlan& p, int tile, int rows, int stationary_rows, int steps) {
  for (int rf = 0; rf < p.row_folds; ++rf) {
    FoldPlan f;
    f.tile = tile;
    f.row_fold = rf;
    f.k0 = rf * rows;
    f.rows_used = std::min(rows, p.reduction - f.k0);
    f.stationary_rows = stationary_rows;
    f.steps = steps;
    f.first_row_fold = rf == 0;
    f.last_row_fold = rf == p.row_folds - 1;
    p.folds.push_back(f);
  }
}

int activation_bytes(const QuantModel& qm, int index) {
  if (qm.is_float()) {
    return 4;
  }
  const ActQuant& a = index < 0 ? qm.input_q : qm.layers[index].out_q;
  return (a.bits + 7) / 8;
}

LayerPlan plan_shape(const QuantModel& qm, int index, const AcceleratorConfig& cfg) {
  const QLayer& q = qm.layers[index];
  LayerPlan p;
  p.layer = index;
  p.on_array = q.kind == QOpKind::kArray;
  p.dataflow = cfg.dataflow;
  p.in_bytes = q.in_shape.size() * activation_bytes(qm, q.inputs.empty() ? -1 : q.inputs[0]);
  p.out_bytes = q.out_shape.size() * activation_bytes(qm, index);
  check_buffer_fits(q, "its input feature map", "ifmap_sram", p.in_bytes,
                    cfg.ifmap_sram.capacity_kib);
  check_buffer_fits(q, "its output feature map", "ifmap_sram", p.out_bytes,
                    cfg.ifmap_sram.capacity_kib);
  if (!p.on_array) {
    return p;
  }
  p.tokens = q.is_linear ? 1 : q.out_shape.h * q.out_shape.w;
  p.reduction = q.reduction;
  p.out_channels = q.out_channels;
  p.groups = q.groups;
  p.im2col = build_im2col(q, p.tokens);
  return p;
}

std::vector<LayerPlan> plan_model(const QuantModel& qm, const AcceleratorConfig& cfg) {
  std::vector<LayerPlan> plans;
  for (size_t i = 0; i < qm.layers.size(); ++i) {
    plans.push_back(plan_layer(qm, static_cast<int>(i), cfg));
  }
  return plans;
}

}  // namespace safsim
