// Post-training quantization of a float Model into the QuantModel the accelerator runs.
// Scheme and rounding rules: docs/quantization.md.
#pragma once

#include "workloads/dataset.h"
#include "workloads/model.h"
#include "workloads/quant_model.h"
#include "workloads/workload_config.h"

namespace safsim {

/// Quantizes `model`: symmetric weights to Q bits (per layer or per output channel), activation
/// ranges calibrated on `calibration` images, int32 biases, fixed-point requantization.
///   QuantModel qm = quantize(load_model("lenet5"), cfg.quant, train.slice(0, 1000));
QuantModel quantize(const Model& model, const QuantConfig& qc, const Dataset& calibration);

}  // namespace safsim
