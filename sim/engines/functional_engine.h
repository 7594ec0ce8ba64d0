// The functional engine: the accelerator's exact arithmetic as batched GEMMs (Eigen), many
// images at once, multithreaded. Bit-exact with the cycle engine for integer formats.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "hw_models/activation_faults.h"
#include "hw_models/logits.h"
#include "memory/deployed_weights.h"
#include "workloads/dataset.h"
#include "workloads/quant_model.h"

namespace safsim {

/// Per-layer outputs of one image: integer codes (integer formats) or fp32 values.
struct LayerActivations {
  std::vector<std::vector<int32_t>> codes;  // per QuantModel layer, CHW
  std::vector<std::vector<float>> values;   // float formats
};

/// Largest magnitude seen per layer, for calibration: the layer's output and, for array layers,
/// the pre-activation value (accumulator + bias).
struct ActivationRange {
  float out_max_abs = 0.0f;
  float pre_max_abs = 0.0f;
};

///   FunctionalEngine fe(qm, deploy_fault_free(qm), /*threads=*/0);
///   Logits out = fe.run(test_images);
///   double acc = accuracy(out, test_images.labels);
class FunctionalEngine {
 public:
  /// Decodes every stored weight once through `weights.read_path`, and runs the model with the
  /// deployed biases where `weights.bias` gives them. threads = 0: all cores.
  FunctionalEngine(const QuantModel& qm, const DeployedWeights& weights, int threads = 0);
  ~FunctionalEngine();
  FunctionalEngine(const FunctionalEngine&) = delete;
  FunctionalEngine& operator=(const FunctionalEngine&) = delete;

  /// Transient activation flips to apply (nullptr: none). The plan must outlive the engine.
  void set_activation_faults(const ActivationFaultPlan* plan);

  /// Called after each chunk of images with the number it finished, one call at a time (for
  /// a progress line; the logits do not depend on it).
  using ImagesDone = std::function<void(int images)>;
  Logits run(const Dataset& images, const ImagesDone& images_done = {}) const;
  /// Every layer's output for one image.
  LayerActivations activations(const uint8_t* image) const;
  /// Float formats only: per-layer activation ranges over `images` (for calibration).
  std::vector<ActivationRange> ranges(const Dataset& images) const;

  /// How many array layers run on the int8 kernel (sim/engines/int8_gemm.h), of how many.
  int int8_layers() const;
  int array_layers() const;

  /// Called before array layer `layer` runs, with the sum of each of its reduction inputs over
  /// every image and output pixel (per group, inputs in (c, kh, kw) order, padding included)
  /// and the number of such rows (images x output pixels).
  using InputSums = std::function<void(int layer, const std::vector<int64_t>& sums, int64_t rows)>;
  /// Integer formats: runs `images` one layer at a time (each layer over every image before the
  /// next), calling `before_array` before each array layer. The callback may change that
  /// layer's biases in the model the engine was built on (the engine reads them when it
  /// post-processes); the layers after it then see the changed outputs. Keeps only the outputs
  /// later layers still read.
  void run_layer_by_layer(const Dataset& images, const InputSums& before_array) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace safsim
