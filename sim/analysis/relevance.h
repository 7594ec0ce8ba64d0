// Layer-wise relevance propagation on the deployed model (002 Eq. 2-4): the relevance of every
// neuron output for the classification of an image, its mean over a set of images and its sum
// over each feature map. Values are the dequantized codes (code * scale) the accelerator holds.
#pragma once

#include <functional>
#include <vector>

#include "sim/analysis/network_trace.h"
#include "workloads/dataset.h"

namespace safsim {

/// Relevance of every layer output (CHW) of one image whose trace is `t`, starting from 1 at
/// logit `target` (002 Eq. 2, the z+ rule). Rules per op, each conserving the relevance sum:
///   array layer: r_i = sum_j f_i w+_ij r_j / sum_i' f_i' w+_i'j (biases take none; a neuron
///                with zero denominator passes none on), activation: identity;
///   max pool: to the window's maximum (the first on ties); average pools: f_i r_j / sum f;
///   residual add: to each input in proportion to its positive part; flatten: identity.
///   std::vector<std::vector<double>> r;
///   lrp_relevance(dm, trace, images.labels[i], r);
void lrp_relevance(const DecodedModel& m, const ImageTrace& t, int target,
                   std::vector<std::vector<double>>& r);

/// 002 Eq. 3 (mean over images, target = label) and Eq. 4 (sum over each feature map).
struct MeanRelevance {
  int images = 0;
  std::vector<std::vector<double>> mean;     // per layer, CHW
  std::vector<std::vector<double>> feature;  // per layer, per channel: rho_k
};

/// Threads share images in fixed chunks summed in image order: the result does not depend on
/// the thread count, bit for bit. `images_done`, when set, is told of each finished chunk's
/// images (one call at a time, from the worker that finished it), for a progress line.
///   MeanRelevance mr = mean_relevance(dm, train.slice(0, 1000), 2);
MeanRelevance mean_relevance(const DecodedModel& m, const Dataset& images, int threads,
                             const std::function<void(int images)>& images_done = {});

}  // namespace safsim
