// Naive reference executor of a QuantModel: direct loops over CHW tensors, one image, no GEMM.
// Slow and obviously correct; tests hold both engines to it bit for bit (integer formats).
#pragma once

#include <cstdint>
#include <vector>

#include "hw_models/activation_faults.h"
#include "memory/deployed_weights.h"
#include "workloads/quant_model.h"

namespace safsim {

/// Output codes (integer formats) of every layer for one image, CHW.
///   auto acts = reference_run(qm, deploy_fault_free(qm), test.image(0));
///   const std::vector<int32_t>& logits = acts.back();
/// With `plan`, the activation flips of image `image_index` hit each layer's output.
std::vector<std::vector<int32_t>> reference_run(const QuantModel& qm, const DeployedWeights& w,
                                                const uint8_t* image,
                                                const ActivationFaultPlan* plan = nullptr,
                                                int64_t image_index = 0);

}  // namespace safsim
