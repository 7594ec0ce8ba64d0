// The controller's per-cycle fold schedule for array layers (docs/timing.md):
//   fetch  - the NVM fills the one-fold staging buffer as soon as it is free;
//   load   - one weight row per cycle into bank f % 2 (serial: after fold f-1 drained;
//            overlapped: after fold f-2 drained, i.e. while fold f-1 computes);
//   stream - one token per cycle once the fold's weights are in and its psum half is free;
//   drain  - a fold is done R + C - 1 cycles after its last token; finished tiles go to the PPU.
#include <algorithm>

#include "hw_models/controller.h"

namespace safsim {

void Controller::step_array(uint64_t n) {
  tile_step(n);
  fetch_step(n);
  const bool nvm_blocked = load_step(n);
  read_ahead_step(n);
  const Cause c = stream_step(n, nvm_blocked);
  count(c);
  update_trace(n, c);
}

bool Controller::array_layer_done(uint64_t n) const {
  const size_t tiles = plan_->tiles.size();
  return tiles_done_ == static_cast<int>(tiles) && ppu_done_[tiles - 1] <= n;
}

void Controller::fetch_step(uint64_t n) {
  if (staged_ >= 0 || fetch_idx_ >= static_cast<int>(plan_->folds.size())) {
    return;
  }
  const FoldPlan& f = plan_->folds[fetch_idx_];
  const TilePlan& t = plan_->tiles[f.tile];
  nvm->fetch_fold(FoldRequest{plan_->layer, f.k0, f.rows_used, t.o0, t.cols_used}, n);
  staged_ = fetch_idx_++;
}

// Returns true when the loader may load a row this cycle but the NVM has not delivered it.
bool Controller::load_step(uint64_t n) {
  const int f = load_idx_;
  if (f >= static_cast<int>(plan_->folds.size()) || staged_ != f) {
    return false;
  }
  const bool serial = cfg_.weight_load == WeightLoad::kSerial;
  const int wait_for = serial ? f - 1 : f - 2;  // the fold whose drain frees the weight bank
  if (wait_for >= 0 && drain_end_[wait_for] > n) {
    return false;
  }
  const int row = rows_ - 1 - load_rows_;  // the first row shifted in ends at the bottom
  if (!nvm->row_ready(row, n)) {
    return true;
  }
  if (qm_.is_float()) {
    array->load_weight_row(f % 2, nvm->row_float(row));
  } else {
    array->load_weight_row(f % 2, nvm->row_int(row));
  }
  if (++load_rows_ == rows_) {
    weights_ready_[f] = n + 1;
    ++load_idx_;
    load_rows_ = 0;
    staged_ = -1;
  }
  return false;
}

// The ifmap read unit runs ahead of the streamer through a small FIFO of token reads.
void Controller::read_ahead_step(uint64_t n) {
  const int folds = static_cast<int>(plan_->folds.size());
  if (ra_fold_ >= folds || ra_count_ == ra_ready_.size() || n < sram_free_at_) {
    return;
  }
  const FoldPlan& f = plan_->folds[ra_fold_];
  const TilePlan& t = plan_->tiles[f.tile];
  const int in_layer = qm_.layers[plan_->layer].inputs[0];
  const int bytes = activation_bytes(qm_, in_layer);
  const uint64_t elem =
      ((uint64_t(t.t0) + ra_token_) * plan_->groups + t.group) * plan_->reduction + f.k0;
  const int cycles = ifmap->read_run(elem * bytes, uint64_t(f.rows_used) * bytes, n);
  sram_free_at_ = n + cycles;
  const size_t slot = (ra_head_ + ra_count_) % ra_ready_.size();
  ra_ready_[slot] = n + cycles - 1 + ifmap->read_latency_cycles();
  ++ra_count_;
  // The token's operands leave the ifmap buffer now (im2col gather; unused rows 0, padding its
  // channel's pad code: 0 unless an input normalization was folded in).
  const int32_t* idx = &plan_->im2col[elem];
  const QLayer& q = qm_.layers[plan_->layer];
  if (qm_.is_float()) {
    const float* in = store_.values_of(in_layer);
    float* x = &ra_x_float_[slot * rows_];
    for (int r = 0; r < rows_; ++r) {
      const int32_t i = r < f.rows_used ? idx[r] : -1;
      x[r] = i >= 0 ? in[i] : q.pad_value.empty() || r >= f.rows_used ? 0.0f : q.pad_value[-1 - i];
    }
  } else {
    const int32_t* in = store_.codes_of(in_layer);
    int32_t* x = &ra_x_int_[slot * rows_];
    for (int r = 0; r < rows_; ++r) {
      const int32_t i = r < f.rows_used ? idx[r] : -1;
      x[r] = i >= 0 ? in[i] : q.pad_code.empty() || r >= f.rows_used ? 0 : q.pad_code[-1 - i];
    }
  }
  if (watching(FlipMemory::kIfmap)) {
    ifmap_token_read(flip_map_->storage(in_layer), idx, f.rows_used, n);
  }
  if (++ra_token_ == t.tokens) {
    ra_token_ = 0;
    ++ra_fold_;
  }
}

Controller::Cause Controller::stream_step(uint64_t n, bool nvm_blocked) {
  if (stream_idx_ >= static_cast<int>(plan_->folds.size())) {
    // Everything issued: draining (schedule) until the last tile waits only for the PPU.
    return tiles_done_ == static_cast<int>(plan_->tiles.size()) ? Cause::kPp : Cause::kCompute;
  }
  const int f = stream_idx_;
  if (weights_ready_[f] > n) {
    return nvm_blocked ? Cause::kNvm : Cause::kCompute;
  }
  const FoldPlan& fp = plan_->folds[f];
  if (token_ == 0 && fp.first_row_fold && fp.tile >= 2 && ppu_done_[fp.tile - 2] > n) {
    return Cause::kPp;  // the psum half still holds tile - 2, not yet post-processed
  }
  if (ra_count_ == 0 || ra_ready_[ra_head_] > n) {
    return Cause::kSram;
  }
  const size_t slot = ra_head_;
  ra_head_ = (ra_head_ + 1) % ra_ready_.size();
  --ra_count_;
  issue_token(n, slot);
  return Cause::kCompute;
}

// The token at the head of the read-ahead FIFO enters the array.
void Controller::issue_token(uint64_t n, size_t slot) {
  const int f = stream_idx_;
  const FoldPlan& fp = plan_->folds[f];
  const TilePlan& tp = plan_->tiles[fp.tile];
  TokenTag tag;
  tag.valid = true;
  tag.bank = static_cast<uint8_t>(f % 2);
  tag.first_row_fold = fp.first_row_fold;
  tag.cols_used = tp.cols_used;
  const size_t row = size_t(token_) * cols_;
  if (qm_.is_float()) {
    tag.acc_float = psum_float_[fp.tile % 2].data() + row;
    array->issue_token(tag, &ra_x_float_[slot * rows_]);
  } else {
    tag.acc = psum_[fp.tile % 2].data() + row;
    array->issue_token(tag, &ra_x_int_[slot * rows_]);
  }
  if (++token_ == tp.tokens) {
    drain_end_[f] = n + rows_ + cols_ - 1;  // last psum leaves PE(R-1, C-1) at n + R + C - 2
    ++stream_idx_;
    token_ = 0;
  }
}

// Hands every tile whose last fold has drained to the post-processing unit.
void Controller::tile_step(uint64_t n) {
  const int tiles = static_cast<int>(plan_->tiles.size());
  while (tiles_done_ < tiles && drain_end_[tile_last_fold_[tiles_done_]] <= n) {
    const int t = tiles_done_++;
    const TilePlan& tp = plan_->tiles[t];
    const int h = t % 2;
    tile_access(tp, h, n);  // before the PPU reads the psums and writes the outputs
    const uint64_t cost =
        ppu_.finish_tile(*plan_, tp, qm_.is_float() ? nullptr : psum_[h].data(),
                         qm_.is_float() ? psum_float_[h].data() : nullptr, store_);
    ppu_done_[t] = ppu_.submit(cost, n);
    // psum traffic: every row fold writes the tile (all but the first read it too); the PPU
    // reads it once and writes the output codes into the ifmap buffer's other half.
    const uint64_t tile_bytes = uint64_t(tp.tokens) * tp.cols_used * 4;
    ofmap->count_writes(tile_bytes * plan_->row_folds);
    ofmap->count_reads(tile_bytes * plan_->row_folds);
    ifmap->count_writes(uint64_t(tp.tokens) * tp.cols_used * activation_bytes(qm_, plan_->layer));
  }
}

}  // namespace safsim
