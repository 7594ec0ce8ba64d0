// Backward pass of a deployed QuantModel: the gradient of the cross-entropy loss of one image
// with respect to every array-layer weight (the dL/dw of Eq. 2 of 000), in real units.
//
// Straight-through estimator over the quantizers: the forward values are the accelerator's exact
// integer activations (FunctionalEngine::activations), dequantized with each tensor's scale; the
// backward pass treats every rounding, requantization and clamp as the identity and runs in real
// arithmetic on the dequantized weights. ReLU passes the gradient where its output code is
// positive, Sigmoid multiplies by s(1 - s) of its dequantized output, max pooling routes to the
// first maximum of the window (the engine's tie rule), average pooling spreads over the window
// the engine divides by.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "memory/deployed_weights.h"
#include "sim/engines/functional_engine.h"
#include "workloads/quant_model.h"

namespace safsim {

/// Per QuantModel layer: dL/dw of every weight, O x K in the (c, kh, kw) order of
/// QLayer::weight_words; empty for layers without weights.
using WeightGradient = std::vector<std::vector<float>>;

/// The real value of every layer's output for one image (CHW): the engine's integer codes times
/// each layer's output scale (integer formats) or its fp32 values.
std::vector<std::vector<float>> dequantized_activations(const QuantModel& qm,
                                                        const FunctionalEngine& forward,
                                                        const uint8_t* image);

/// The real value of the input image as the first layer sees it (CHW): the pixel's code times
/// the input scale (integer formats), or p / 255 (float formats).
std::vector<float> dequantized_input(const QuantModel& qm, const uint8_t* image);

/// Softmax cross-entropy of real logits against `label`: the loss, and dL/dlogits in `grad`.
double softmax_cross_entropy(const std::vector<double>& logits, int label,
                             std::vector<double>* grad);

///   FunctionalEngine fe(qm, weights, 1);
///   BackwardPass bp(qm, weights, fe);
///   WeightGradient g = bp.weight_gradient(test.image(0), test.labels[0]);
/// Thread-safe: weight_gradient() may run concurrently from many threads.
class BackwardPass {
 public:
  /// `forward` must be built on the same model and weights and outlive this object.
  BackwardPass(const QuantModel& qm, const DeployedWeights& weights,
               const FunctionalEngine& forward);
  ~BackwardPass();
  BackwardPass(const BackwardPass&) = delete;
  BackwardPass& operator=(const BackwardPass&) = delete;

  /// dL/dw for one image, loss = softmax cross-entropy of the dequantized logits and `label`.
  /// `loss` (optional) receives the loss.
  WeightGradient weight_gradient(const uint8_t* image, int label, double* loss = nullptr) const;

  /// The dequantized weights (real values), per layer, in the layout of WeightGradient.
  const std::vector<std::vector<float>>& real_weights() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace safsim
