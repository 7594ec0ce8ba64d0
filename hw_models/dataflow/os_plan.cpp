// Output-stationary planning (docs/timing.md, "Output-stationary").
#include <algorithm>

#include "hw_models/dataflow/planners.h"

namespace safsim {

void plan_os(LayerPlan& p, const QLayer& q, const AcceleratorConfig& cfg) {
  const int rows = cfg.array.rows;
  const int cols = cfg.array.cols;
  const int group_out = q.group_out();
  const int group_col_folds = (group_out + cols - 1) / cols;
  const int pixel_folds = (p.tokens + rows - 1) / rows;
  p.row_folds = pixel_folds;
  p.col_folds = q.groups * group_col_folds;
  p.token_tiles = 1;
  p.rows_used = std::min(rows, p.tokens);
  p.cols_used = std::min(cols, group_out);
  // Every PE's finished output goes to the psum half of its tile: R x C accumulators.
  check_buffer_fits(q, "one psum tile (array rows x cols x 4 B)", "ofmap_sram",
                    int64_t{rows} * cols * 4, cfg.ofmap_sram.capacity_kib);
  p.pixel_stride = cols;
  p.channel_stride = 1;
  p.psum_entries = int64_t{rows} * cols;
  p.psum_tile_bytes = p.psum_entries * 4;
  for (int pf = 0; pf < pixel_folds; ++pf) {
    for (int cf = 0; cf < p.col_folds; ++cf) {
      p.tiles.push_back(channel_fold_tile(p, q, pf * rows, rows, cf, cols));
      FoldPlan f;
      f.tile = static_cast<int>(p.tiles.size()) - 1;
      f.rows_used = p.reduction;  // the whole reduction streams: no partial sums across folds
      f.steps = p.reduction;
      f.first_row_fold = f.last_row_fold = true;
      p.folds.push_back(f);
    }
  }
}

}  // namespace safsim
