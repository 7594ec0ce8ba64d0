// Naive reference executor of a QuantModel: direct loops over CHW tensors, one image, no GEMM.
// Slow and obviously correct; tests hold both engines to it bit for bit (integer formats).
#pragma once

#include <cstdint>
#include <vector>

#include "memory/deployed_weights.h"
#include "workloads/quant_model.h"

namespace safsim {

/// Output codes (integer formats) of every layer for one image, CHW.
///   auto acts = reference_run(qm, deploy_fault_free(qm), test.image(0));
///   const std::vector<int32_t>& logits = acts.back();
std::vector<std::vector<int32_t>> reference_run(const QuantModel& qm, const DeployedWeights& w,
                                                const uint8_t* image);

}  // namespace safsim
