// mitigation.bias_compensation mean: deploy-time software that moves each output channel's int32
// bias by the accumulator change its known weight deviations are expected to cause, measured on
// the calibration images layer by layer through the compensated network (docs/faults.md).
#pragma once

#include <cstdint>
#include <vector>

#include "memory/deployed_weights.h"
#include "memory/deployment_stats.h"
#include "workloads/dataset.h"
#include "workloads/quant_model.h"

namespace safsim {

/// Sums of weight deviation x input sum can pass 2^63 on large layers and images; 128 bits keep
/// them exact.
__extension__ using Int128 = __int128;

/// The bias shift of one output channel: -round(change_sum / rows), half away from zero, exact
/// in integers. `change_sum` is sum_k dw_k * S_k, S_k the sum of input k over `rows` rows.
///   compensation_shift(-7, 2) == 4   // expected change -3.5 -> +4 (rounded away from zero)
int64_t compensation_shift(Int128 change_sum, int64_t rows);

/// For each array layer in model order: dw = decode(w.believed) - quantized weight, S_k the sum
/// of reduction input k over the calibration images and output pixels (padding included: the
/// pad code where a window leaves the input) with every earlier layer already compensated, and
/// bias_o += compensation_shift(sum_k dw_ok * S_k, rows), saturated to int32. Fills w.bias and
/// the compensation fields of `st`, and releases w.believed. Integer formats only.
///   DeployedWeights w = deploy(qm, faults, mitigation /* bias_compensation: mean */, ...);
///   compensate_biases(qm, w, calibration_images, /*threads=*/0, st);
void compensate_biases(const QuantModel& qm, DeployedWeights& w, const Dataset& calibration,
                       int threads, DeploymentStats& st);

}  // namespace safsim
