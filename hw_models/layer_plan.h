// How the controller maps one QLayer onto the R x C array: im2col lowering, psum tiles that fit
// the ofmap buffer, folds. The structures are the same for every dataflow; what a fold streams
// and what stays in the PEs is the dataflow's (hw_models/dataflow/, docs/timing.md).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hw_models/accelerator_config.h"
#include "workloads/quant_model.h"

namespace safsim {

/// One fold: the array computes reduction block [k0, k0 + rows_used) of one psum tile.
/// ws/is: `stationary_rows` rows are shifted in, then `steps` vectors stream (ws: the tile's
/// pixels, is: its output channels); os: nothing is loaded and the whole reduction streams
/// (`steps` = reduction, one fold per tile).
struct FoldPlan {
  int tile = 0;      // index into LayerPlan::tiles
  int row_fold = 0;  // reduction block
  int k0 = 0;
  int rows_used = 0;            // reduction indices of this fold
  int stationary_rows = 0;      // rows shifted into the array before streaming (0: os)
  int steps = 0;                // vectors streamed through the array
  bool first_row_fold = false;  // overwrites the psum tile instead of accumulating
  bool last_row_fold = false;   // the tile is complete when this fold drains
};

/// One psum tile: output pixels [t0, t0 + pixels) x output channels [o0, o0 + channels).
struct TilePlan {
  int t0 = 0;
  int pixels = 0;
  int group = 0;  // grouped convolutions: the group whose outputs [o0, o0 + channels) are
  int o0 = 0;
  int channels = 0;
};

/// Everything the controller needs to run a layer; built once per layer, reused per image.
///   LayerPlan p = plan_layer(qm, 3, accel_cfg);
///   for (const FoldPlan& f : p.folds) { const TilePlan& t = p.tiles[f.tile]; ... }
struct LayerPlan {
  int layer = 0;          // QuantModel index
  bool on_array = false;  // kArray; everything else runs on the post-processing unit
  Dataflow dataflow = Dataflow::kWs;
  int tokens = 0;        // T = output pixels (1 for linear layers)
  int reduction = 0;     // K (per group)
  int out_channels = 0;  // O
  int groups = 1;
  // Folds along the array's rows and columns, and psum tiles along the streamed dimension
  // (ws: pixel tiles, is: channel tiles, os: 1); rows/cols_used: the largest blocks used.
  int row_folds = 0, col_folds = 0, token_tiles = 0;
  int rows_used = 0, cols_used = 0;
  std::vector<FoldPlan> folds;  // tile-major, then row fold
  std::vector<TilePlan> tiles;
  // Psum tile layout in one ofmap half: pixel j, channel c of a tile is entry
  // j * pixel_stride + c * channel_stride; `psum_entries` accumulators per half.
  int pixel_stride = 0, channel_stride = 0;
  int64_t psum_entries = 0;
  // T x (groups x K) flat input indices; padding is -1 - c (the pad code of input channel c).
  std::vector<int32_t> im2col;
  int64_t in_bytes = 0, out_bytes = 0, psum_tile_bytes = 0;

  /// Tile-local (pixel, channel) of psum entry e, for a tile laid out as above.
  std::pair<int64_t, int64_t> psum_position(int64_t e) const {
    return pixel_stride == 1 ? std::pair{e % channel_stride, e / channel_stride}
                             : std::pair{e / pixel_stride, e % pixel_stride};
  }
};

/// Bytes of one activation element of layer `index`'s output (-1: the input image).
int activation_bytes(const QuantModel& qm, int index);

/// Plans layer `index` in cfg.dataflow (hw_models/dataflow/dataflow.cpp). Throws ConfigError
/// naming the layer and the needed size when its input, output or a psum tile does not fit the
/// SRAM buffers.
LayerPlan plan_layer(const QuantModel& qm, int index, const AcceleratorConfig& cfg);

/// plan_layer() for every layer, in order.
std::vector<LayerPlan> plan_model(const QuantModel& qm, const AcceleratorConfig& cfg);

// ---- the dataflow-independent part, for the dataflows' planners ----

/// The layer's sizes, its buffer fit checks and im2col table; no folds or tiles yet.
LayerPlan plan_shape(const QuantModel& qm, int index, const AcceleratorConfig& cfg);

/// Throws ConfigError when `needed` bytes exceed one half of the buffer `key`.
void check_buffer_fits(const QLayer& q, const char* what, const char* key, int64_t needed,
                       double capacity_kib);

/// Accumulators (4 bytes each) one half of the ofmap buffer holds.
int64_t psum_capacity(const AcceleratorConfig& cfg);

/// Appends the row folds of tile `tile`: reduction blocks of `rows` (the last one partial).
/// `stationary_rows` and `steps` as in FoldPlan.
void add_row_folds(LayerPlan& p, int tile, int rows, int stationary_rows, int steps);

}  // namespace safsim
