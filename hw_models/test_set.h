// A self-test set (000): the chosen test images with their golden results on the fault-free
// deployed model. `safsim select` writes it; the SelfTestController, the detection experiment
// and `safsim lifetime` read it.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hw_models/logits.h"
#include "memory/deployed_weights.h"
#include "workloads/quant_model.h"

namespace safsim {

/// One selected image: its index in the dataset file (absolute, not relative to first_image),
/// its selection score (strategy-specific; NaN-free), and the fault-free accelerator's output.
struct TestImage {
  int index = 0;
  double score = 0.0;
  int golden_top1 = 0;
  std::vector<int32_t> golden_codes;  // integer formats: output codes (compared bit for bit)
  std::vector<float> golden_values;   // float formats
};

/// testset.json (docs/selftest.md):
///   {"strategy": "corner_grad", "count": 20, "dataset": "...", "model": "...",
///    "model_hash": "9f2c...", "logit_scale": 0.0123, "is_float": false,
///    "selection_seconds": 0.41, "config": {...resolved config...},
///    "images": [{"index": 17, "score": 0.003, "golden_top1": 4,
///                "golden_logits": [12, -3, ...]}, ...]}
struct TestSet {
  std::string strategy;
  std::string dataset;     // workload.dataset of the config
  std::string model;       // workload.model of the config
  std::string model_hash;  // deployed_model_hash(), 16 hex digits
  bool is_float = false;
  float logit_scale = 1.0f;  // real value of one output code (integer formats)
  double selection_seconds = 0.0;
  nlohmann::ordered_json config;  // the resolved config the set was selected with
  std::vector<TestImage> images;
};

/// When a self-test flags a fault (000 §III): at least `min_mismatches` test images whose top-1
/// differs from the golden top-1, or (when logit_threshold > 0) at least one image whose logits
/// differ from the golden ones by more than `logit_threshold` in L-infinity distance (real
/// values: codes times logit_scale for integer formats).
struct SelfTestCriterion {
  int min_mismatches = 1;
  double logit_threshold = 0.0;  // 0: off
};

/// The outcome of comparing one self-test run with the golden results.
struct SelfTestVerdict {
  int mismatches = 0;             // images whose top-1 differs from golden
  double max_logit_distance = 0;  // largest L-infinity distance over the images
  bool fault_detected = false;
};

/// The single definition of the self-test criterion, used by the SelfTestController (cycle
/// engine), the detection experiment and `safsim lifetime`. `outputs` row i belongs to
/// `set.images[i]`.
SelfTestVerdict judge_self_test(const TestSet& set, const Logits& outputs,
                                const SelfTestCriterion& criterion);

/// A 64-bit FNV-1a-style digest of what the accelerator computes with: every layer's kind,
/// shapes, quantization parameters, bias and requantization, and every *decoded* weight of
/// `weights`. Two deployments hash equal iff the engines would compute the same function.
std::string deployed_model_hash(const QuantModel& qm, const DeployedWeights& weights);

/// Golden results of `logits` row i as a TestImage (index and score left for the caller).
TestImage golden_image(const Logits& logits, int row);

nlohmann::ordered_json to_json(const TestSet& t);
/// Throws UserError "<path>: <what is wrong>" for a malformed file.
TestSet test_set_from_json(const nlohmann::json& j, const std::string& path);

/// Atomic write (base/output_files.h) and read; read errors name the file.
void write_test_set(const TestSet& t, const std::string& path);
TestSet read_test_set(const std::string& path);

}  // namespace safsim
