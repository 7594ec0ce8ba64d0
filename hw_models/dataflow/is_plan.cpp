// Input-stationary planning (docs/timing.md, "Input-stationary").
#include <algorithm>

#include "hw_models/dataflow/planners.h"

namespace safsim {

void plan_is(LayerPlan& p, const QLayer& q, const AcceleratorConfig& cfg) {
  const int rows = cfg.array.rows;
  const int cols = cfg.array.cols;
  const int group_out = q.group_out();
  // A psum tile holds C pixels x tile_channels accumulators in one half of the ofmap buffer.
  check_buffer_fits(q, "one psum row (array cols x 4 B)", "ofmap_sram", int64_t{cols} * 4,
                    cfg.ofmap_sram.capacity_kib);
  const int tile_channels =
      static_cast<int>(std::min<int64_t>(group_out, psum_capacity(cfg) / cols));
  const int channel_tiles = (group_out + tile_channels - 1) / tile_channels;
  const int pixel_folds = (p.tokens + cols - 1) / cols;
  p.row_folds = (p.reduction + rows - 1) / rows;
  p.col_folds = pixel_folds;
  p.token_tiles = q.groups * channel_tiles;
  p.rows_used = std::min(rows, p.reduction);
  p.cols_used = std::min(cols, p.tokens);
  p.pixel_stride = 1;
  p.channel_stride = cols;
  p.psum_entries = int64_t{tile_channels} * cols;
  p.psum_tile_bytes = p.psum_entries * 4;
  for (int pf = 0; pf < pixel_folds; ++pf) {
    for (int g = 0; g < q.groups; ++g) {
      for (int ct = 0; ct < channel_tiles; ++ct) {
        TilePlan t;
        t.t0 = pf * cols;
        t.pixels = std::min(cols, p.tokens - t.t0);
        t.group = g;
        t.o0 = g * group_out + ct * tile_channels;
        t.channels = std::min(tile_channels, group_out - ct * tile_channels);
        p.tiles.push_back(t);
        // A fold shifts in all R input rows, then streams one weight vector per channel.
        add_row_folds(p, static_cast<int>(p.tiles.size()) - 1, rows, rows, t.channels);
      }
    }
  }
}

}  // namespace safsim
