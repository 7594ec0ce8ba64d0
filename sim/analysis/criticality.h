// Feature bit-flip criticality (002 Eq. 5), its spread (002 Fig. 5b) and the weight rescaling
// that equalizes it (002 Eq. 6).
#pragma once

#include <vector>

#include "sim/analysis/relevance.h"

namespace safsim {

/// The criticality of the feature maps of one stored tensor: the output of layer `layer`,
/// read (directly or through flatten) by the array layers `consumers`.
struct FeatureCriticality {
  int layer = 0;
  std::vector<int> consumers;
  std::vector<double> eta;  // per feature map c
};

/// 002 Eq. 5, for every layer output an array layer reads (the image has no stored words):
///   eta_c = sum over consumers L of sum_{k,u,v} |w_kcuv| / (C_L U V) * rho_k^(L),
/// with w the dequantized weight (code * scale) and rho_k^(L) the Eq. 4 relevance of L's
/// output feature k. A linear layer reading a flattened C x H x W tensor has U x V = H x W.
/// A tensor read by several array layers (residual networks) sums their terms.
///   for (const FeatureCriticality& f : feature_criticality(dm, mean_relevance(dm, d, 2)))
std::vector<FeatureCriticality> feature_criticality(const DecodedModel& m, const MeanRelevance& r);

/// SD(eta / mean(eta)), population SD; 0 for an all-zero eta.
double normalized_sd(const std::vector<double>& eta);
/// 002 Fig. 5b: (1/L) sum over the tensors of normalized_sd.
double mean_normalized_sd(const std::vector<FeatureCriticality>& f);

/// 002 Eq. 6: the factor mean(eta) / eta_c for the weights reading feature c; 1 for a feature
/// with eta_c = 0 (it reaches no relevant output; scaling it would divide by zero).
std::vector<double> eq6_scales(const std::vector<double>& eta);

}  // namespace safsim
