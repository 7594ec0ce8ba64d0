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
};

/// Deployment with no faults and no encoder: the stored words are the quantized words.
DeployedWeights deploy_fault_free(const QuantModel& qm);

}  // namespace safsim
