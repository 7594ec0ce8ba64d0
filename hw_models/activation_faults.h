// Transient bit flips in the SRAM words that hold activations (faults.activations.bitflip, as in
// 002's feature-map flips). One plan per (seed, trial) gives, for every image, which output
// words of which layers flip; both engines apply the same flips to a layer's output codes as
// they are written to the output buffer, before any layer reads them.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "memory/fault_model.h"
#include "memory/memory_config.h"
#include "workloads/quant_model.h"

namespace safsim {

/// THE rule for a flipped activation word: `code` stored as an A-bit word (A = q.bits; two's
/// complement when signed, unsigned otherwise), XOR `mask`, decoded back to a code.
///   int32_t flipped = flip_activation_code(layer.out_q, code, 1u << 7);
int32_t flip_activation_code(const ActQuant& q, int32_t code, uint32_t mask);

/// A flip of one activation word of one layer's output for one image (element in CHW order).
struct ActivationFlip {
  int layer = 0;
  int64_t element = 0;
  uint32_t mask = 0;
};

///   ActivationFaultPlan plan(qm, cfg.faults.activations.bitflip, cfg.seed, /*trial=*/0);
///   for (const ActivationFlip& f : plan.flips(image_index)) code = plan.flip_code(code, f);
class ActivationFaultPlan {
 public:
  ActivationFaultPlan(const QuantModel& qm, const BitFlipConfig& c, uint64_t seed, uint64_t trial);
  bool active() const { return model_ != nullptr; }
  /// Flips for test image `image_index` (its index in the dataset, so that results do not
  /// depend on batching or on which images run together), sorted by layer then element.
  std::vector<ActivationFlip> flips(int64_t image_index) const;
  /// The stored activation word after the flip, decoded back to a code: signed outputs are
  /// A-bit two's complement words, unsigned ones A-bit unsigned words (A = activation bits).
  int32_t flip_code(int32_t code, const ActivationFlip& f) const;
  /// Float formats: flips the fp32 bit pattern.
  static float flip_value(float value, uint32_t mask);

 private:
  const QuantModel& qm_;
  std::unique_ptr<FaultModel> model_;
  FaultTarget target_;
  uint64_t seed_ = 0;
  uint64_t trial_ = 0;
};

}  // namespace safsim
