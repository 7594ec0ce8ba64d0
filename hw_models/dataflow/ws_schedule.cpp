// The weight-stationary fold schedule, cycle by cycle (docs/timing.md).
#include "hw_models/dataflow/ws_schedule.h"

#include <limits>

namespace safsim {

void WsSchedule::reset() {
  fetch_idx_ = 0;
  staged_ = -1;
  load_idx_ = load_rows_ = stream_idx_ = token_ = 0;
  ra_fold_ = ra_token_ = 0;
  weights_ready_.assign(plan_->folds.size(), std::numeric_limits<uint64_t>::max());
  reader_.begin_layer(host_, plan_->layer, array_.rows());
}

Cause WsSchedule::step(uint64_t n) {
  hand_off_tiles(n);
  fetch_step(n);
  const bool nvm_blocked = load_step(n);
  read_ahead_step(n);
  return stream_step(n, nvm_blocked);
}

void WsSchedule::fetch_step(uint64_t n) {
  if (staged_ >= 0 || fetch_idx_ >= static_cast<int>(plan_->folds.size())) {
    return;
  }
  const FoldPlan& f = plan_->folds[fetch_idx_];
  const TilePlan& t = plan_->tiles[f.tile];
  host_.weights().fetch_fold(FoldRequest{plan_->layer, f.k0, f.rows_used, t.o0, t.channels}, n);
  staged_ = fetch_idx_++;
}

// Returns true when the loader may load a row this cycle but the NVM has not delivered it.
bool WsSchedule::load_step(uint64_t n) {
  const int f = load_idx_;
  if (f >= static_cast<int>(plan_->folds.size()) || staged_ != f) {
    return false;
  }
  const bool serial = host_.config().weight_load == WeightLoad::kSerial;
  const int wait_for = serial ? f - 1 : f - 2;  // the fold whose drain frees the weight bank
  if (wait_for >= 0 && drain_end_[wait_for] > n) {
    return false;
  }
  const int rows = array_.rows();
  const int row = rows - 1 - load_rows_;  // the first row shifted in ends at the bottom
  WeightReadIf& nvm = host_.weights();
  if (!nvm.vector_ready(row, n)) {
    return true;
  }
  if (host_.qm().is_float()) {
    array_.load_row(f % 2, nvm.vector_float(row));
  } else {
    array_.load_row(f % 2, nvm.vector_int(row));
  }
  if (++load_rows_ == rows) {
    weights_ready_[f] = n + 1;
    ++load_idx_;
    load_rows_ = 0;
    staged_ = -1;
  }
  return false;
}

// The ifmap read unit reads one token (R operands of one im2col row) per access, ahead of use.
void WsSchedule::read_ahead_step(uint64_t n) {
  if (ra_fold_ >= static_cast<int>(plan_->folds.size()) || !reader_.can_read(n)) {
    return;
  }
  const FoldPlan& f = plan_->folds[ra_fold_];
  const TilePlan& t = plan_->tiles[f.tile];
  const int in_layer = host_.qm().layers[plan_->layer].inputs[0];
  const int bytes = activation_bytes(host_.qm(), in_layer);
  const uint64_t elem =
      ((uint64_t(t.t0) + ra_token_) * plan_->groups + t.group) * plan_->reduction + f.k0;
  reader_.read(n, elem * bytes, uint64_t(f.rows_used) * bytes, &plan_->im2col[elem], f.rows_used,
               1);
  if (++ra_token_ == t.pixels) {
    ra_token_ = 0;
    ++ra_fold_;
  }
}

Cause WsSchedule::stream_step(uint64_t n, bool nvm_blocked) {
  if (stream_idx_ >= static_cast<int>(plan_->folds.size())) {
    return draining();
  }
  const int f = stream_idx_;
  if (weights_ready_[f] > n) {
    return nvm_blocked ? Cause::kNvm : Cause::kCompute;
  }
  const FoldPlan& fp = plan_->folds[f];
  if (token_ == 0 && fp.first_row_fold && fp.tile >= 2 && ppu_done_[fp.tile - 2] > n) {
    return Cause::kPp;  // the psum half still holds tile - 2, not yet post-processed
  }
  if (!reader_.front_ready(n)) {
    return Cause::kSram;
  }
  issue_token(n);
  reader_.pop();
  return Cause::kCompute;
}

// The token at the head of the read-ahead FIFO enters the array.
void WsSchedule::issue_token(uint64_t n) {
  const int f = stream_idx_;
  const FoldPlan& fp = plan_->folds[f];
  const TilePlan& tp = plan_->tiles[fp.tile];
  TokenTag tag;
  tag.valid = true;
  tag.bank = static_cast<uint8_t>(f % 2);
  tag.first_row_fold = fp.first_row_fold;
  tag.cols_used = tp.channels;
  const size_t row = size_t(token_) * plan_->pixel_stride;
  if (host_.qm().is_float()) {
    tag.acc_float = psum_float_of(fp.tile) + row;
    array_.issue_vector(tag, reader_.front_float());
  } else {
    tag.acc = psum_of(fp.tile) + row;
    array_.issue_vector(tag, reader_.front_int());
  }
  if (++token_ == tp.pixels) {
    // The last psum leaves PE(R-1, C-1) at n + R + C - 2.
    drain_end_[f] = n + array_.rows() + array_.cols() - 1;
    ++stream_idx_;
    token_ = 0;
  }
}

}  // namespace safsim
