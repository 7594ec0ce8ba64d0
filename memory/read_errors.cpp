// Read errors (read_errors.h): one geometric gap per wrong cell of an image's reads.
#include "memory/read_errors.h"

#include <limits>

namespace safsim {

namespace {

constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

/// `gap` cells after `from`; a gap past 2^64 cells never comes.
uint64_t skip(uint64_t from, uint64_t gap) { return gap >= kNever - from ? kNever : from + gap; }

}  // namespace

ReadErrors::ReadErrors(const ReadErrorConfig& c, uint64_t experiment_seed)
    : ber_(c.ber),
      workload_(c.seed != 0 ? c.seed : experiment_seed, 0, "nvm_read_errors"),
      self_test_(c.seed != 0 ? c.seed : experiment_seed, 0, "nvm_read_errors_self_test") {
  begin_image(0, false);  // reads before any begin_image() are workload image 0's
}

void ReadErrors::begin_image(int64_t dataset_index, bool self_test) {
  image_ = (self_test ? self_test_ : workload_).substream(uint64_t(dataset_index));
  position_ = 0;
  next_flip_ = active() ? skip(0, image_.geometric_gap(ber_)) : kNever;
}

// Draw k of the image's stream is the k-th gap: the wrong cell after next_flip_ is 1 + gap on.
void ReadErrors::draw_next_flip() { next_flip_ = skip(next_flip_ + 1, image_.geometric_gap(ber_)); }

uint32_t ReadErrors::sense(int cells) {
  const uint64_t end = position_ + uint64_t(cells);
  uint32_t mask = 0;
  while (next_flip_ < end) {
    mask |= 1u << (next_flip_ - position_);
    draw_next_flip();
  }
  position_ = end;
  return mask;
}

}  // namespace safsim
