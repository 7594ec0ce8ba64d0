// Address maps of the NVM, ifmap and ofmap words for scheduled flips, and their range checks.
#include "hw_models/flip_address_map.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/errors.h"
#include "hw_models/layer_plan.h"
#include "memory/nvm_weight_bank.h"

namespace safsim {

FlipAddressMap::FlipAddressMap(const QuantModel& qm, const DeployedWeights& weights,
                               const AcceleratorConfig& cfg)
    : qm_(qm), cols_(cfg.array.cols) {
  ifmap_base_.push_back(0);
  ifmap_words_ = static_cast<int64_t>(qm.input_shape.size());
  for (size_t i = 0; i < qm.layers.size(); ++i) {
    const QLayer& q = qm.layers[i];
    const bool rename = q.kind == QOpKind::kFlatten;
    storage_.push_back(rename ? storage(q.inputs[0]) : static_cast<int>(i));
    ifmap_base_.push_back(rename ? -1 : ifmap_words_);
    ifmap_words_ += rename ? 0 : static_cast<int64_t>(q.out_shape.size());
    nvm_base_.push_back(nvm_words_);
    nvm_words_ += i < weights.stored.size() ? static_cast<int64_t>(weights.stored[i].size()) : 0;
  }
  nvm_bits_ = NvmWeightBank::cells_per_word(weights.read_path);
  for (const LayerPlan& p : plan_model(qm, cfg)) {
    psum_entries_ = std::max(psum_entries_, p.psum_entries);
  }
}

int64_t FlipAddressMap::words(FlipMemory m) const {
  switch (m) {
    case FlipMemory::kNvm:
      return nvm_words_;
    case FlipMemory::kIfmap:
      return ifmap_words_;
    case FlipMemory::kOfmap:
      return 2 * psum_entries_;
  }
  return 0;
}

std::pair<int, int64_t> FlipAddressMap::ifmap_word(int64_t address) const {
  int layer = -1;
  for (size_t i = 1; i < ifmap_base_.size(); ++i) {
    if (ifmap_base_[i] >= 0 && ifmap_base_[i] <= address) {
      layer = static_cast<int>(i) - 1;
    }
  }
  return {layer, address - ifmap_base(layer)};
}

int FlipAddressMap::word_bits(FlipMemory m, int64_t address) const {
  switch (m) {
    case FlipMemory::kNvm:
      return nvm_bits_;
    case FlipMemory::kIfmap: {
      if (qm_.is_float()) {
        return 32;
      }
      const int layer = ifmap_word(address).first;
      return layer < 0 ? qm_.input_q.bits : qm_.layers[size_t(layer)].out_q.bits;
    }
    case FlipMemory::kOfmap:
      return qm_.is_float() ? 32 : qm_.accumulator_bits;
  }
  return 0;
}

void FlipAddressMap::check(const std::vector<ScheduledFlip>& flips) const {
  for (size_t i = 0; i < flips.size(); ++i) {
    const ScheduledFlip& f = flips[i];
    const int64_t n = words(f.memory);
    if (f.address >= n) {
      throw ConfigError(fmt::format(
          "faults.scheduled_flips[{}]: {} address must be below {} (the words of model '{}' on "
          "this accelerator), got {}",
          i, to_string(f.memory), n, qm_.name, f.address));
    }
    const int bits = word_bits(f.memory, f.address);
    if (f.bit >= bits) {
      throw ConfigError(fmt::format(
          "faults.scheduled_flips[{}]: bit must be below {} (the bits of {} word {}), got {}", i,
          bits, to_string(f.memory), f.address, f.bit));
    }
  }
}

std::string FlipAddressMap::describe(const ScheduledFlip& f) const {
  switch (f.memory) {
    case FlipMemory::kNvm: {
      size_t l = 0;
      for (size_t i = 0; i < nvm_base_.size(); ++i) {
        if (nvm_base_[i] <= f.address && qm_.layers[i].kind == QOpKind::kArray) {
          l = i;
        }
      }
      const QLayer& q = qm_.layers[l];
      const int64_t w = f.address - nvm_base_[l];
      if (w >= int64_t{q.out_channels} * q.reduction) {
        return fmt::format("nvm {} padding word {}", q.name, w);
      }
      return fmt::format("nvm {} o={} k={}", q.name, w / q.reduction, w % q.reduction);
    }
    case FlipMemory::kIfmap: {
      const auto [layer, element] = ifmap_word(f.address);
      return fmt::format(
          "{}[{}]", layer < 0 ? std::string("input") : qm_.layers[size_t(layer)].name, element);
    }
    case FlipMemory::kOfmap: {
      const int64_t e = f.address % psum_entries_;
      return fmt::format("psum half {} token {} col {}", f.address / psum_entries_, e / cols_,
                         e % cols_);
    }
  }
  return "?";
}

}  // namespace safsim
