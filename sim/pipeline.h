// From a config to what an engine needs: the imported model, its quantized deployment and the
// test images. Shared by every subcommand so they all see the same workload.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "hw_models/logits.h"
#include "memory/deployed_weights.h"
#include "memory/deployment_stats.h"
#include "memory/march_test.h"
#include "sim/calibration_info.h"
#include "sim/config.h"
#include "sim/written_files.h"
#include "workloads/dataset.h"
#include "workloads/model.h"
#include "workloads/quant_model.h"

namespace safsim {

struct Workload {
  Model model;        // fp32, as imported, with the input map folded in (input_fold.h)
  QuantModel qmodel;  // quantized, calibrated on `calibration`
  CalibrationInfo calibration;
  // Integer formats: the images quantize() calibrated on. A model read from the cache leaves
  // them unread until bias compensation needs them (load_calibration_images()).
  Dataset calibration_images;
  const char* model_cache = "off";  // hit, miss or off: whether qmodel came from the cache
  Dataset images;                   // the test images selected by workload.images / first_image
  DeployedWeights weights;     // what sits in the NVM: encoded, stuck bits applied, flips applied
  DeploymentStats deployment;  // what the faults and the encoder did (001 Table 3, Fig. 9)
};

/// Loads the model and dataset named in `c.workload`, quantizes with `c.quant` and deploys the
/// weights into the NVM with `c.faults` and `c.mitigation` (trial 0 of `c.seed`).
///   Workload w = prepare_workload(load_config("configs/default.yaml"));
Workload prepare_workload(const Config& c);

/// What load_dataset() needs to read `c.workload.dataset` for a model taking `input_shape`.
DatasetSource dataset_source(const Config& c, const Shape& input_shape);

/// The first half of prepare_workload(): model, quantized model and images; nothing deployed.
/// The quantized model comes from the model cache when it holds it (sim/model_cache.h) and
/// goes into it otherwise.
Workload load_workload(const Config& c);

/// Reads w.calibration_images (integer formats) unless they are there: a model from the cache
/// did not need them, bias compensation does.
void load_calibration_images(const Config& c, Workload& w);

/// The second half: deploys w.qmodel into the NVM (w.weights, w.deployment) and, with
/// mitigation.bias_compensation, compensates the biases on w.calibration_images. `march` is the
/// memory a March test runs on when mitigation.defect_map is `march` (empty: a plain cell
/// array); the March cost uses accelerator.nvm's read and write latencies.
void deploy_workload(const Config& c, Workload& w,
                     const std::function<MarchResult(const DefectMap&)>& march = {});

/// What mitigation.ties and mitigation.bias_compensation did, for one terminal line; empty when
/// both are off.
std::string compensation_text(const Config& c, const DeploymentStats& d);

/// Throws UserError if the config asks for mitigation.bias_compensation, which `command` does not
/// model (its analysis reads the model's own biases).
void require_model_biases(const Config& c, const char* command);

/// What one evaluation of w.images measured, and how it compares with the fault-free run of the
/// same deployment (1 - top1_agreement is the silent-data-corruption rate of the literature).
struct Outcome {
  std::optional<double> accuracy;             // none when the dataset has no labels
  std::optional<double> fault_free_accuracy;  // likewise
  double top1_agreement = 1.0;         // images whose top-1 is the fault-free top-1, a fraction
  double mean_abs_logit_change = 0.0;  // mean |logit - fault-free logit| over images x classes
  const char* fault_free_engine = "functional";
  Logits fault_free;  // the fault-free logits (those of the run itself when nothing was injected)
};

/// The summary.json fields every command shares: command, engine, workload, dataset,
/// quantization and calibration, the outcome on the images run (accuracy — null without labels —,
/// fault_free_accuracy, accuracy_drop: fault-free minus accuracy, a fraction as the sweep's
/// metric —, top1_agreement, mean_abs_logit_change, fault_free_engine), seed and version.
nlohmann::ordered_json summary_header(const Config& c, const Workload& w, const char* command,
                                      const char* engine, const Outcome& outcome);

/// The outcome of a fault-free run that measured `accuracy` (analyses and lifetime runs, which
/// need labels).
Outcome fault_free_outcome(double accuracy);

/// Throws UserError unless the workload's images have labels: `what` needs them
/// ("safsim analyze measures accuracy").
void require_labels(const Workload& w, const char* what);

/// Adds the deployment statistics to a summary object (key "deployment") and writes
/// deviation.csv (001 Fig. 9) into `out` when the model has integer weights, and bias_shift.csv
/// (layer, channel, bias, deployed_bias, shift) with mitigation.bias_compensation.
void report_deployment(const Workload& w, nlohmann::ordered_json& summary, WrittenFiles& out);

}  // namespace safsim
