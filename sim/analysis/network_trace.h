// The fault-free pass of one image through the deployed integer model, kept whole: every layer's
// output codes and every array layer's accumulators. The resilience analyses of 002 start from
// it: LRP (Eq. 2) reads the codes, the single-flip replay reuses both instead of recomputing.
#pragma once

#include <cstdint>
#include <vector>

#include "memory/deployed_weights.h"
#include "workloads/quant_model.h"

namespace safsim {

/// Array-layer weights as the engines see them: stored words decoded through the read path.
struct ArrayLayerWeights {
  std::vector<int32_t> oik;  // O x K, K in (c, kh, kw) order (QLayer::weight_words order)
  std::vector<int32_t> kio;  // K x O: the weights one input element reaches, contiguous in O
};

/// The deployed model with its weights decoded once. Integer weight formats only.
///   DecodedModel dm(w.qmodel, w.weights);
///   ImageTrace t;
///   trace_image(dm, images.image(0), t);   // t.codes.back(): logits
/// Grouped and dilated convolutions are seen as the dense, undilated convolutions they equal
/// (zero weights across groups and between taps), so every analysis handles them unchanged.
struct DecodedModel {
  DecodedModel(const QuantModel& qm, const DeployedWeights& w);
  QuantModel qm;                           // the dense view of the deployed model
  std::vector<ArrayLayerWeights> weights;  // per layer; empty for non-array layers
};

/// One image's fault-free pass.
struct ImageTrace {
  std::vector<std::vector<int32_t>> codes;  // per layer: output codes, CHW
  // Per array layer: sum of w * x (no bias); per average pool: the window sums; CHW.
  std::vector<std::vector<int64_t>> acc;
  int top1 = 0;  // largest logit, first on ties (Logits::top1)
};

/// Runs `image` through the model with the accelerator's arithmetic (hw_models/arithmetic.h);
/// codes equal FunctionalEngine::activations() bit for bit (a unit test holds this).
void trace_image(const DecodedModel& m, const uint8_t* image, ImageTrace& t);

/// Index of the largest of `n` codes, the first on ties (the rule of Logits::top1).
int top1_of(const int32_t* codes, int n);

}  // namespace safsim
