// The output-stationary fold schedule, cycle by cycle (docs/timing.md).
#include "hw_models/dataflow/os_schedule.h"

#include <algorithm>
#include <limits>

namespace safsim {

void OsSchedule::reset() {
  fetch_idx_ = 0;
  staged_ = -1;
  ra_fold_ = ra_step_ = 0;
  stream_idx_ = step_ = 0;
  first_step_.assign(plan_->folds.size(), std::numeric_limits<uint64_t>::max());
  reader_.begin_layer(host_, plan_->layer, array_.rows());
}

Cause OsSchedule::step(uint64_t n) {
  hand_off_tiles(n);
  fetch_step(n);
  read_ahead_step(n);
  return stream_step(n);
}

void OsSchedule::fetch_step(uint64_t n) {
  if (staged_ >= 0 || fetch_idx_ >= static_cast<int>(plan_->folds.size())) {
    return;
  }
  const FoldPlan& f = plan_->folds[fetch_idx_];
  const TilePlan& t = plan_->tiles[f.tile];
  host_.weights().fetch_fold(
      FoldRequest{plan_->layer, f.k0, f.rows_used, t.o0, t.channels, WeightVectors::kRows}, n);
  staged_ = fetch_idx_++;
}

// Step k of a fold reads reduction index k across the tile's pixels: in the im2col matrix read
// column-wise (k-major) it is one run of `pixels` elements.
void OsSchedule::read_ahead_step(uint64_t n) {
  if (ra_fold_ >= static_cast<int>(plan_->folds.size()) || !reader_.can_read(n)) {
    return;
  }
  const FoldPlan& f = plan_->folds[ra_fold_];
  const TilePlan& t = plan_->tiles[f.tile];
  const int k = f.k0 + ra_step_;
  reader_.read_column(n, *plan_, t, k);
  if (++ra_step_ == f.steps) {
    ra_step_ = 0;
    ++ra_fold_;
  }
}

// Fold f's first step may enter at posedge n (the previous fold is out of the way).
bool OsSchedule::may_start(int f, uint64_t n) const {
  if (f == 0) {
    return true;
  }
  if (host_.config().weight_load == WeightLoad::kSerial) {
    return drain_end_[f - 1] <= n;
  }
  // PE(r, c) finishes fold f-1 at s' + W - 1 + r + c and starts fold f at s + r + c; two PEs of
  // one column finish in one cycle unless s - s' >= R.
  const int gap = std::max(plan_->folds[f - 1].steps, array_.rows());
  return first_step_[f - 1] + gap <= n;
}

Cause OsSchedule::stream_step(uint64_t n) {
  if (stream_idx_ >= static_cast<int>(plan_->folds.size())) {
    return draining();
  }
  const int f = stream_idx_;
  const FoldPlan& fp = plan_->folds[f];
  if (step_ == 0) {
    if (!may_start(f, n)) {
      return Cause::kCompute;  // the previous fold is still draining (the schedule itself)
    }
    if (fp.tile >= 2 && ppu_done_[fp.tile - 2] > n) {
      return Cause::kPp;  // the psum half still holds tile - 2, not yet post-processed
    }
  }
  WeightReadIf& nvm = host_.weights();
  if (staged_ != f || !nvm.vector_ready(step_, n)) {
    return Cause::kNvm;
  }
  if (!reader_.front_ready(n)) {
    return Cause::kSram;
  }
  const TilePlan& tp = plan_->tiles[fp.tile];
  OsStep s;
  s.first = step_ == 0;
  s.last = step_ == fp.steps - 1;
  s.pixels = tp.pixels;
  s.channels = tp.channels;
  if (host_.qm().is_float()) {
    s.acc_float = psum_float_of(fp.tile);
    array_.issue_step(s, reader_.front_float(), nvm.vector_float(step_));
  } else {
    s.acc = psum_of(fp.tile);
    array_.issue_step(s, reader_.front_int(), nvm.vector_int(step_));
  }
  reader_.pop();
  if (step_ == 0) {
    first_step_[f] = n;
  }
  if (++step_ == fp.steps) {
    drain_end_[f] = n + array_.rows() + array_.cols() - 1;  // PE(R-1, C-1) finishes at n+R+C-2
    ++stream_idx_;
    step_ = 0;
    staged_ = -1;  // the staging buffer is free for the next fold's weights
  }
  return Cause::kCompute;
}

}  // namespace safsim
