// The part of every dataflow's schedule that is the same: tile bookkeeping and the hand-off of
// finished psum tiles to the post-processing unit (docs/timing.md).
#include "hw_models/dataflow/array_schedule.h"

#include <limits>

namespace safsim {

void ArraySchedule::begin_layer(const LayerPlan& plan) {
  constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();
  plan_ = &plan;
  tiles_done_ = 0;
  drain_end_.assign(plan.folds.size(), kNever);
  ppu_done_.assign(plan.tiles.size(), kNever);
  tile_last_fold_.assign(plan.tiles.size(), 0);
  tile_folds_.assign(plan.tiles.size(), 0);
  for (size_t f = 0; f < plan.folds.size(); ++f) {
    tile_last_fold_[plan.folds[f].tile] = static_cast<int>(f);
    ++tile_folds_[plan.folds[f].tile];
  }
  reset();
}

bool ArraySchedule::done(uint64_t n) const {
  const size_t tiles = plan_->tiles.size();
  return tiles_done_ == static_cast<int>(tiles) && ppu_done_[tiles - 1] <= n;
}

Cause ArraySchedule::draining() const {
  return tiles_done_ == static_cast<int>(plan_->tiles.size()) ? Cause::kPp : Cause::kCompute;
}

void ArraySchedule::hand_off_tiles(uint64_t n) {
  const int tiles = static_cast<int>(plan_->tiles.size());
  while (tiles_done_ < tiles && drain_end_[tile_last_fold_[tiles_done_]] <= n) {
    const int t = tiles_done_++;
    const TilePlan& tp = plan_->tiles[t];
    ppu_done_[t] = host_.tile_done(tp, t % 2, n);
    // psum traffic: every fold of the tile writes it (all but the first read it too); the PPU
    // reads it once and writes the output codes into the ifmap buffer's other half.
    const uint64_t tile_bytes = uint64_t(tp.pixels) * tp.channels * 4;
    host_.ofmap_buffer().count_writes(tile_bytes * tile_folds_[t]);
    host_.ofmap_buffer().count_reads(tile_bytes * tile_folds_[t]);
    host_.ifmap_buffer().count_writes(uint64_t(tp.pixels) * tp.channels *
                                      activation_bytes(host_.qm(), plan_->layer));
  }
}

}  // namespace safsim
