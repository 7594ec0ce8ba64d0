// From a config to what an engine needs: the imported model, its quantized deployment and the
// test images. Shared by every subcommand so they all see the same workload.
#pragma once

#include "memory/deployed_weights.h"
#include "sim/config.h"
#include "workloads/dataset.h"
#include "workloads/model.h"
#include "workloads/quant_model.h"

namespace safsim {

struct Workload {
  Model model;           // fp32, as imported
  QuantModel qmodel;     // quantized, calibrated on training images
  Dataset images;        // the test images selected by workload.images / first_image
  DeployedWeights weights;  // what sits in the NVM (fault-free until faults are configured)
};

/// Loads the model and dataset named in `c.workload`, quantizes with `c.quant` and deploys.
///   Workload w = prepare_workload(load_config("configs/default.yaml"));
Workload prepare_workload(const Config& c);

}  // namespace safsim
