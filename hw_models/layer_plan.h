// How the controller maps one QLayer onto the R x C array: im2col lowering (window along rows in
// (c, kh, kw) order, output channels along columns), psum tiles that fit the ofmap buffer, folds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hw_models/accelerator_config.h"
#include "workloads/quant_model.h"

namespace safsim {

/// One fold: a rows_used x cols_used block of weights loaded once, streamed with `tokens` rows.
struct FoldPlan {
  int tile = 0;      // index into LayerPlan::tiles
  int row_fold = 0;  // reduction block: k in [k0, k0 + rows_used)
  int k0 = 0;
  int rows_used = 0;
  bool first_row_fold = false;  // overwrites the psum tile instead of accumulating
  bool last_row_fold = false;   // the tile is complete when this fold drains
};

/// One psum tile: `tokens` output pixels from t0, output channels [o0, o0 + cols_used).
struct TilePlan {
  int t0 = 0;
  int tokens = 0;
  int col_fold = 0;
  int group = 0;  // grouped convolutions: the group whose outputs [o0, o0 + cols_used) are
  int o0 = 0;
  int cols_used = 0;
};

/// Everything the controller needs to run a layer; built once per layer, reused per image.
///   LayerPlan p = plan_layer(qm, 3, accel_cfg);
///   for (const FoldPlan& f : p.folds) { const TilePlan& t = p.tiles[f.tile]; ... }
struct LayerPlan {
  int layer = 0;          // QuantModel index
  bool on_array = false;  // kArray; everything else runs on the post-processing unit
  int tokens = 0;         // T = output pixels (1 for linear layers)
  int reduction = 0;      // K (per group)
  int out_channels = 0;   // O
  int groups = 1;
  int row_folds = 0, col_folds = 0, token_tiles = 0, tile_tokens = 0;
  int rows_used = 0, cols_used = 0;  // largest blocks used (min(K, R), min(O, C))
  std::vector<FoldPlan> folds;       // tile-major (token tile, col fold), then row fold
  std::vector<TilePlan> tiles;
  // T x (groups x K) flat input indices; padding is -1 - c (the pad code of input channel c).
  std::vector<int32_t> im2col;
  int64_t in_bytes = 0, out_bytes = 0, psum_tile_bytes = 0;
};

/// Bytes of one activation element of layer `index`'s output (-1: the input image).
int activation_bytes(const QuantModel& qm, int index);

/// Plans layer `index`. Throws ConfigError naming the layer and the needed size when its input,
/// output or a one-token psum row does not fit the SRAM buffers.
LayerPlan plan_layer(const QuantModel& qm, int index, const AcceleratorConfig& cfg);

/// plan_layer() for every layer, in order.
std::vector<LayerPlan> plan_model(const QuantModel& qm, const AcceleratorConfig& cfg);

}  // namespace safsim
