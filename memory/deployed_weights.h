// The weight memory's contents after deployment: for every array layer, the words as they sit
// in the NVM cells (encoded, with stuck bits already applied), and the read path that decodes them.
#pragma once

#include <cstdint>
#include <vector>

#include "memory/read_path_decoder.h"
#include "workloads/quant_model.h"

namespace safsim {

/// Both engines read weights only through this: stored word -> read_path.decode_*().
///   DeployedWeights d = deploy_fault_free(qm);
///   int32_t w = d.read_path.decode_int(d.stored[layer][o * K + k]);
struct DeployedWeights {
  ReadPath read_path;
  std::vector<std::vector<uint32_t>> stored;  // per QuantModel layer; empty for non-array layers
  /// Per layer, the int32 bias the controller preloads into the accumulators, when deployment
  /// changed it (mitigation.bias_compensation); empty: QLayer::bias. Biases live in the
  /// controller's bias registers, not in the NVM, and take no faults.
  std::vector<std::vector<int32_t>> bias;
  /// mitigation.bias_compensation: per layer, the words as the deployer expects the cells to hold
  /// them (its word with the stuck cells it knows, no transient flips); empty otherwise.
  std::vector<std::vector<uint32_t>> believed;
};

/// Deployment with no faults and no encoder: the stored words are the quantized words.
DeployedWeights deploy_fault_free(const QuantModel& qm);

/// The model the engines run: `qm` with every array layer's bias replaced by `w.bias` where that
/// is given (a copy; `qm` itself when no bias changed).
QuantModel deployed_model(const QuantModel& qm, const DeployedWeights& w);

}  // namespace safsim
