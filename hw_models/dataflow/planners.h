// Each dataflow's planner: the folds and psum tiles of one array layer, on top of plan_shape()
// (hw_models/layer_plan.h). plan_layer() picks one by accelerator.dataflow (dataflow.cpp).
#pragma once

#include "hw_models/layer_plan.h"

namespace safsim {

/// The psum tile of pixels [t0, t0 + block) (clipped to the layer) and column fold `cf` of C
/// output channels, counted within each group (ws and os put output channels on the columns).
TilePlan channel_fold_tile(const LayerPlan& p, const QLayer& q, int t0, int block, int cf,
                           int cols);

/// ws: rows <- reduction, columns <- output channels; tiles of as many pixels as the psum half
/// holds rows of C accumulators; each tile's folds are its reduction blocks.
void plan_ws(LayerPlan& p, const QLayer& q, const AcceleratorConfig& cfg);

/// os: rows <- output pixels, columns <- output channels; one fold per R x C tile, the whole
/// reduction streams through it.
void plan_os(LayerPlan& p, const QLayer& q, const AcceleratorConfig& cfg);

/// is: rows <- reduction, columns <- output pixels; tiles of C pixels x as many output channels
/// as the psum half holds; each tile's folds are its reduction blocks, its channels stream.
void plan_is(LayerPlan& p, const QLayer& q, const AcceleratorConfig& cfg);

}  // namespace safsim
