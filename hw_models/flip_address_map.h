// Word addresses of the memories a scheduled flip can hit (docs/faults.md, "Scheduled flips"):
//   nvm    the deployment address map: array layers in order, [o][k] words (SEC-DED padding)
//   ifmap  the input image's words, then every layer's output words in layer order, CHW
//          (a flatten has no words of its own: it renames its input's)
//   ofmap  psum half h, entry e of a tile -> h x entries_max + e, where pixel j, channel c of a
//          tile is entry j x cols + c (ws, os) or c x cols + j (is)
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hw_models/accelerator_config.h"
#include "memory/deployed_weights.h"
#include "memory/scheduled_flips.h"
#include "workloads/quant_model.h"

namespace safsim {

///   FlipAddressMap map(qm, weights, cfg.accelerator);
///   map.check(flips);                      // ConfigError on an address or bit out of range
///   std::string where = map.describe(flips[0]);  // "conv2[345]"
class FlipAddressMap {
 public:
  FlipAddressMap(const QuantModel& qm, const DeployedWeights& weights,
                 const AcceleratorConfig& cfg);

  int64_t words(FlipMemory m) const;
  /// Bits of the word at a valid address: NVM cells per word, activation bits (fp32: 32),
  /// accumulator bits (fp32: 32).
  int word_bits(FlipMemory m, int64_t address) const;
  /// Throws ConfigError naming faults.scheduled_flips[i] for an address or bit out of range.
  void check(const std::vector<ScheduledFlip>& flips) const;
  /// Where a flip lands, in model terms: "nvm conv1 o=3 k=17", "input[12]", "conv2[345]",
  /// "psum half 1 token 3 col 5".
  std::string describe(const ScheduledFlip& f) const;

  /// The layer whose words hold `layer`'s output: itself, or for a flatten its input's (-1 is
  /// the input image).
  int storage(int layer) const { return layer < 0 ? -1 : storage_[size_t(layer)]; }
  /// First ifmap address of a storage layer's words (-1: the input image).
  int64_t ifmap_base(int storage_layer) const { return ifmap_base_[size_t(storage_layer + 1)]; }
  /// (storage layer, CHW element) of an ifmap address.
  std::pair<int, int64_t> ifmap_word(int64_t address) const;
  /// Accumulators per psum half.
  int64_t psum_entries() const { return psum_entries_; }

 private:
  const QuantModel& qm_;
  std::vector<int> storage_;
  std::vector<int64_t> ifmap_base_;  // index layer + 1; flatten layers: -1 (no words)
  int64_t ifmap_words_ = 0;
  std::vector<int64_t> nvm_base_;  // per layer
  int64_t nvm_words_ = 0;
  int nvm_bits_ = 0;
  int64_t psum_entries_ = 0;
  int cols_ = 0;
};

}  // namespace safsim
