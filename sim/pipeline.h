// From a config to what an engine needs: the imported model, its quantized deployment and the
// test images. Shared by every subcommand so they all see the same workload.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "memory/deployed_weights.h"
#include "memory/deployment_stats.h"
#include "memory/march_test.h"
#include "sim/config.h"
#include "sim/written_files.h"
#include "workloads/dataset.h"
#include "workloads/model.h"
#include "workloads/quant_model.h"

namespace safsim {

struct Workload {
  Model model;                 // fp32, as imported
  QuantModel qmodel;           // quantized, calibrated on training images
  Dataset images;              // the test images selected by workload.images / first_image
  DeployedWeights weights;     // what sits in the NVM: encoded, stuck bits applied, flips applied
  DeploymentStats deployment;  // what the faults and the encoder did (001 Table 3, Fig. 9)
};

/// Loads the model and dataset named in `c.workload`, quantizes with `c.quant` and deploys the
/// weights into the NVM with `c.faults` and `c.mitigation` (trial 0 of `c.seed`).
///   Workload w = prepare_workload(load_config("configs/default.yaml"));
Workload prepare_workload(const Config& c);

/// The first half of prepare_workload(): model, quantized model and images; nothing deployed.
Workload load_workload(const Config& c);

/// The second half: deploys w.qmodel into the NVM (w.weights, w.deployment). `march` is the
/// memory a March test runs on when mitigation.defect_map is `march` (empty: a plain cell
/// array); the March cost uses accelerator.nvm's read and write latencies.
void deploy_workload(const Config& c, Workload& w,
                     const std::function<MarchResult(const DefectMap&)>& march = {});

/// The accuracy of the same model on the same images with nothing injected, and the engine
/// that measured it (sim/fault_free.h).
struct FaultFreeBaseline {
  double accuracy = 0.0;
  const char* engine = "functional";
};

/// The summary.json fields every command shares: command, engine, workload, quantization,
/// accuracy on the images run, seed and version; with a baseline, after `accuracy`:
/// fault_free_accuracy, accuracy_drop (fault-free minus accuracy, a fraction as the sweep's
/// metric) and fault_free_engine.
nlohmann::ordered_json summary_header(const Config& c, const Workload& w, const char* command,
                                      const char* engine, double accuracy,
                                      const std::optional<FaultFreeBaseline>& baseline = {});

/// Adds the deployment statistics to a summary object (key "deployment") and writes
/// deviation.csv (001 Fig. 9) into `out` when the model has integer weights.
void report_deployment(const Workload& w, nlohmann::ordered_json& summary, WrittenFiles& out);

}  // namespace safsim
