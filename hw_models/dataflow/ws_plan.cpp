// Weight-stationary planning (docs/timing.md, "Weight-stationary").
#include <algorithm>

#include "hw_models/dataflow/planners.h"

namespace safsim {

void plan_ws(LayerPlan& p, const QLayer& q, const AcceleratorConfig& cfg) {
  const int rows = cfg.array.rows;
  const int cols = cfg.array.cols;
  // Each group of a grouped convolution is its own set of folds: its K rows and O/G columns
  // (docs/timing.md, "Grouped and depthwise convolutions").
  const int group_out = q.group_out();
  const int group_col_folds = (group_out + cols - 1) / cols;
  p.row_folds = (p.reduction + rows - 1) / rows;
  p.col_folds = q.groups * group_col_folds;
  p.rows_used = std::min(rows, p.reduction);
  p.cols_used = std::min(cols, group_out);
  // A psum tile holds tile_tokens x C accumulators and must fit one half of the ofmap buffer.
  check_buffer_fits(q, "one psum row (array cols x 4 B)", "ofmap_sram", int64_t{cols} * 4,
                    cfg.ofmap_sram.capacity_kib);
  const int tile_tokens = static_cast<int>(std::min<int64_t>(p.tokens, psum_capacity(cfg) / cols));
  p.token_tiles = (p.tokens + tile_tokens - 1) / tile_tokens;
  p.pixel_stride = cols;
  p.channel_stride = 1;
  p.psum_entries = int64_t{tile_tokens} * cols;
  p.psum_tile_bytes = p.psum_entries * 4;
  for (int tt = 0; tt < p.token_tiles; ++tt) {
    for (int cf = 0; cf < p.col_folds; ++cf) {
      const TilePlan t = channel_fold_tile(p, q, tt * tile_tokens, tile_tokens, cf, cols);
      p.tiles.push_back(t);
      // A fold shifts in all R weight rows (partial folds too), then streams the tile's pixels.
      add_row_folds(p, static_cast<int>(p.tiles.size()) - 1, rows, rows, t.pixels);
    }
  }
}

TilePlan channel_fold_tile(const LayerPlan& p, const QLayer& q, int t0, int block, int cf,
                           int cols) {
  const int group_out = q.group_out();
  const int group_col_folds = (group_out + cols - 1) / cols;
  TilePlan t;
  t.t0 = t0;
  t.pixels = std::min(block, p.tokens - t0);
  t.group = cf / group_col_folds;
  const int in_group = cf % group_col_folds * cols;
  t.o0 = t.group * group_out + in_group;
  t.channels = std::min(cols, group_out - in_group);
  return t;
}

}  // namespace safsim
