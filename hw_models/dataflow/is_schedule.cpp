// The input-stationary fold schedule, cycle by cycle (docs/timing.md).
#include "hw_models/dataflow/is_schedule.h"

#include <limits>

namespace safsim {

void IsSchedule::reset() {
  ra_fold_ = ra_row_ = 0;
  load_idx_ = load_rows_ = 0;
  fetch_idx_ = 0;
  staged_ = -1;
  stream_idx_ = channel_ = 0;
  inputs_ready_.assign(plan_->folds.size(), std::numeric_limits<uint64_t>::max());
  reader_.begin_layer(host_, plan_->layer, array_.cols());
  zeros_.assign(array_.cols(), 0);
  zeros_float_.assign(array_.cols(), 0.0f);
}

Cause IsSchedule::step(uint64_t n) {
  hand_off_tiles(n);
  read_ahead_step(n);
  const bool sram_blocked = load_step(n);
  fetch_step(n);
  return stream_step(n, sram_blocked);
}

// Input row r of fold f is reduction index k0 + r across the tile's pixels: in the im2col
// matrix read column-wise (k-major) it is one run of `pixels` elements.
void IsSchedule::read_ahead_step(uint64_t n) {
  if (ra_fold_ >= static_cast<int>(plan_->folds.size()) || !reader_.can_read(n)) {
    return;
  }
  const FoldPlan& f = plan_->folds[ra_fold_];
  const TilePlan& t = plan_->tiles[f.tile];
  const int r = f.rows_used - 1 - ra_row_;
  const int k = f.k0 + r;
  reader_.read_column(n, *plan_, t, k);
  if (++ra_row_ == f.rows_used) {
    ra_row_ = 0;
    ++ra_fold_;
  }
}

// Returns true when the loader may load a row this cycle but the ifmap has not delivered it.
bool IsSchedule::load_step(uint64_t n) {
  const int f = load_idx_;
  if (f >= static_cast<int>(plan_->folds.size())) {
    return false;
  }
  const bool serial = host_.config().weight_load == WeightLoad::kSerial;
  const int wait_for = serial ? f - 1 : f - 2;  // the fold whose drain frees the input bank
  if (wait_for >= 0 && drain_end_[wait_for] > n) {
    return false;
  }
  const int rows = array_.rows();
  const FoldPlan& fp = plan_->folds[f];
  // The first rows shifted in end at the bottom: rows past the reduction (zeros) go first.
  const bool zero_row = load_rows_ < rows - fp.rows_used;
  if (!zero_row && !reader_.front_ready(n)) {
    return true;
  }
  if (host_.qm().is_float()) {
    array_.load_row(f % 2, zero_row ? zeros_float_.data() : reader_.front_float());
  } else {
    array_.load_row(f % 2, zero_row ? zeros_.data() : reader_.front_int());
  }
  if (!zero_row) {
    reader_.pop();
  }
  if (++load_rows_ == rows) {
    inputs_ready_[f] = n + 1;
    ++load_idx_;
    load_rows_ = 0;
  }
  return false;
}

void IsSchedule::fetch_step(uint64_t n) {
  if (staged_ >= 0 || fetch_idx_ >= static_cast<int>(plan_->folds.size())) {
    return;
  }
  const FoldPlan& f = plan_->folds[fetch_idx_];
  const TilePlan& t = plan_->tiles[f.tile];
  host_.weights().fetch_fold(
      FoldRequest{plan_->layer, f.k0, f.rows_used, t.o0, t.channels, WeightVectors::kChannels}, n);
  staged_ = fetch_idx_++;
}

Cause IsSchedule::stream_step(uint64_t n, bool sram_blocked) {
  if (stream_idx_ >= static_cast<int>(plan_->folds.size())) {
    return draining();
  }
  const int f = stream_idx_;
  if (inputs_ready_[f] > n) {
    return sram_blocked ? Cause::kSram : Cause::kCompute;
  }
  const FoldPlan& fp = plan_->folds[f];
  if (channel_ == 0 && fp.first_row_fold && fp.tile >= 2 && ppu_done_[fp.tile - 2] > n) {
    return Cause::kPp;  // the psum half still holds tile - 2, not yet post-processed
  }
  WeightReadIf& nvm = host_.weights();
  if (staged_ != f || !nvm.vector_ready(channel_, n)) {
    return Cause::kNvm;
  }
  const TilePlan& tp = plan_->tiles[fp.tile];
  TokenTag tag;
  tag.valid = true;
  tag.bank = static_cast<uint8_t>(f % 2);
  tag.first_row_fold = fp.first_row_fold;
  tag.cols_used = tp.pixels;
  // The channel's psum row: column c (pixel t0 + c) adds into entry channel * stride + c.
  const size_t row = size_t(channel_) * plan_->channel_stride;
  if (host_.qm().is_float()) {
    tag.acc_float = psum_float_of(fp.tile) + row;
    array_.issue_vector(tag, nvm.vector_float(channel_));
  } else {
    tag.acc = psum_of(fp.tile) + row;
    array_.issue_vector(tag, nvm.vector_int(channel_));
  }
  if (++channel_ == tp.channels) {
    drain_end_[f] = n + array_.rows() + array_.cols() - 1;
    ++stream_idx_;
    channel_ = 0;
    staged_ = -1;  // the staging buffer is free for the next fold's weights
  }
  return Cause::kCompute;
}

}  // namespace safsim
