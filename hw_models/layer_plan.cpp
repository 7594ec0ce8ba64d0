// Tiling and fold planning of one layer (docs/timing.md, "Mapping").
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

void check_fits(const QLayer& q, const char* what, const char* key, int64_t needed,
                double capacity_kib) {
  if (needed > kib_to_bytes(capacity_kib)) {
    throw ConfigError(fmt::format(
        "layer '{}': {} needs {:.2f} KiB per buffer half but accelerator.{}.capacity_kib is {} "
        "KiB; raise it to at least {:.2f}",
        q.name, what, needed / 1024.0, key, capacity_kib, needed / 1024.0));
  }
}

void add_folds(LayerPlan& p, int tile, int rows) {
  for (int rf = 0; rf < p.row_folds; ++rf) {
    FoldPlan f;
    f.tile = tile;
    f.row_fold = rf;
    f.k0 = rf * rows;
    f.rows_used = std::min(rows, p.reduction - f.k0);
    f.first_row_fold = rf == 0;
    f.last_row_fold = rf == p.row_folds - 1;
    p.folds.push_back(f);
  }
}

}  // namespace

int activation_bytes(const QuantModel& qm, int index) {
  if (qm.is_float()) {
    return 4;
  }
  const ActQuant& a = index < 0 ? qm.input_q : qm.layers[index].out_q;
  return (a.bits + 7) / 8;
}

LayerPlan plan_layer(const QuantModel& qm, int index, const AcceleratorConfig& cfg) {
  const QLayer& q = qm.layers[index];
  LayerPlan p;
  p.layer = index;
  p.on_array = q.kind == QOpKind::kArray;
  p.in_bytes = q.in_shape.size() * activation_bytes(qm, q.inputs.empty() ? -1 : q.inputs[0]);
  p.out_bytes = q.out_shape.size() * activation_bytes(qm, index);
  check_fits(q, "its input feature map", "ifmap_sram", p.in_bytes, cfg.ifmap_sram.capacity_kib);
  check_fits(q, "its output feature map", "ifmap_sram", p.out_bytes, cfg.ifmap_sram.capacity_kib);
  if (!p.on_array) {
    return p;
  }
  const int rows = cfg.array.rows;
  const int cols = cfg.array.cols;
  p.tokens = q.is_linear ? 1 : q.out_shape.h * q.out_shape.w;
  p.reduction = q.reduction;
  p.out_channels = q.out_channels;
  // Each group of a grouped convolution is its own set of folds: its K rows and O/G columns
  // (docs/timing.md, "Grouped and depthwise convolutions").
  p.groups = q.groups;
  const int group_out = q.group_out();
  const int group_col_folds = (group_out + cols - 1) / cols;
  p.row_folds = (p.reduction + rows - 1) / rows;
  p.col_folds = q.groups * group_col_folds;
  p.rows_used = std::min(rows, p.reduction);
  p.cols_used = std::min(cols, group_out);
  // A psum tile holds tile_tokens x C accumulators and must fit one half of the ofmap buffer.
  const int64_t row_bytes = int64_t{cols} * kAccumulatorBytes;
  check_fits(q, "one psum row (array cols x 4 B)", "ofmap_sram", row_bytes,
             cfg.ofmap_sram.capacity_kib);
  const int64_t fit = kib_to_bytes(cfg.ofmap_sram.capacity_kib) / row_bytes;
  p.tile_tokens = static_cast<int>(std::min<int64_t>(p.tokens, fit));
  p.token_tiles = (p.tokens + p.tile_tokens - 1) / p.tile_tokens;
  p.psum_tile_bytes = int64_t{p.tile_tokens} * row_bytes;
  for (int tt = 0; tt < p.token_tiles; ++tt) {
    for (int cf = 0; cf < p.col_folds; ++cf) {
      TilePlan t;
      t.t0 = tt * p.tile_tokens;
      t.tokens = std::min(p.tile_tokens, p.tokens - t.t0);
      t.col_fold = cf;
      t.group = cf / group_col_folds;
      const int in_group = cf % group_col_folds * cols;
      t.o0 = t.group * group_out + in_group;
      t.cols_used = std::min(cols, group_out - in_group);
      p.tiles.push_back(t);
      add_folds(p, static_cast<int>(p.tiles.size()) - 1, rows);
    }
  }
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
