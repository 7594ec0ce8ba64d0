// Sensing errors of the NVM read path (faults.weights.read_errors, docs/faults.md): every cell
// of every read senses the wrong value with probability ber, the stored cells unchanged. The
// draws are counter-based: the cells an image's reads sense form one stream of bits, numbered
// (sensed word) x (cells per word) + cell, and the position of the k-th wrong bit of that stream
// is a pure function of (seed, image, k), so results depend neither on the batch an image runs
// in nor on threads or ranks.
#pragma once

#include <cstdint>

#include "base/random_stream.h"
#include "memory/memory_config.h"

namespace safsim {

/// Where the flipped bits of one image's reads fall. Geometric skipping: the gap to the next
/// wrong bit is drawn once per wrong bit, so a read costs one comparison unless it is hit.
///   ReadErrors re(cfg.faults.weights.read_errors, cfg.seed);
///   re.begin_image(dataset_index, /*self_test=*/false);
///   uint32_t sensed = stored ^ re.sense(cells_per_word);
class ReadErrors {
 public:
  ReadErrors() = default;  // inactive: ber 0
  /// Streams of (read_errors.seed, or `experiment_seed` when that is 0).
  ReadErrors(const ReadErrorConfig& c, uint64_t experiment_seed);

  bool active() const { return ber_ > 0.0; }
  double ber() const { return ber_; }
  /// Restarts at the image's first read. Self-test images have their own key space, so a test
  /// image and a workload image of the same dataset index see different errors.
  void begin_image(int64_t dataset_index, bool self_test);
  /// The wrong cells of the next word sensed (`cells` <= 32 of them), as a mask to XOR.
  uint32_t sense(int cells);
  /// Cells sensed since begin_image().
  uint64_t position() const { return position_; }

 private:
  void draw_next_flip();

  double ber_ = 0.0;
  RandomStream workload_{0, 0, "nvm_read_errors"};
  RandomStream self_test_{0, 0, "nvm_read_errors_self_test"};
  RandomStream image_{0, 0, "nvm_read_errors"};  // this image's stream: draw k = k-th gap
  uint64_t position_ = 0;                        // cells sensed so far in this image
  uint64_t next_flip_ = 0;                       // position of the next wrong cell
};

}  // namespace safsim
