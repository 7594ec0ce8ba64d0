// Feature criticality from mean relevance and weights (002 Eq. 5, 6, Fig. 5b).
#include "sim/analysis/criticality.h"

#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>

namespace safsim {

std::vector<FeatureCriticality> feature_criticality(const DecodedModel& m, const MeanRelevance& r) {
  const QuantModel& qm = m.qm;
  std::map<int, FeatureCriticality> by_tensor;
  for (size_t li = 0; li < qm.layers.size(); ++li) {
    const QLayer& q = qm.layers[li];
    if (q.kind != QOpKind::kArray) {
      continue;
    }
    int src = q.inputs[0];
    if (src >= 0 && qm.layers[src].kind == QOpKind::kFlatten) {
      src = qm.layers[src].inputs[0];
    }
    if (src < 0) {
      continue;
    }
    const int features = qm.layers[src].out_shape.c;
    // Weight rows are in (c, kh, kw) order, and a flattened CHW input is c-major as well:
    // feature c owns rows [c * S, (c + 1) * S).
    const int s_per = q.reduction / features;
    if (s_per * features != q.reduction) {
      throw std::logic_error("feature_criticality: reduction is not a multiple of the features");
    }
    FeatureCriticality& f = by_tensor[src];
    f.layer = src;
    f.consumers.push_back(static_cast<int>(li));
    f.eta.resize(features, 0.0);
    const std::vector<double>& rho = r.feature[li];
    const double norm = double(q.out_channels) * s_per;
    const std::vector<int32_t>& w = m.weights[li].oik;
    for (int k = 0; k < q.out_channels; ++k) {
      const double scale = q.weight_scale[k];
      for (int c = 0; c < features; ++c) {
        double sum = 0.0;
        for (int s = 0; s < s_per; ++s) {
          sum += std::abs(double(w[size_t(k) * q.reduction + size_t(c) * s_per + s]));
        }
        f.eta[c] += sum * scale / norm * rho[k];
      }
    }
  }
  std::vector<FeatureCriticality> out;
  for (auto& [layer, f] : by_tensor) {
    out.push_back(std::move(f));
  }
  return out;
}

double normalized_sd(const std::vector<double>& eta) {
  if (eta.empty()) {
    return 0.0;
  }
  const double mean = std::accumulate(eta.begin(), eta.end(), 0.0) / double(eta.size());
  if (mean == 0.0) {
    return 0.0;
  }
  double ss = 0.0;
  for (double e : eta) {
    ss += (e / mean - 1.0) * (e / mean - 1.0);
  }
  return std::sqrt(ss / double(eta.size()));
}

double mean_normalized_sd(const std::vector<FeatureCriticality>& f) {
  double s = 0.0;
  for (const FeatureCriticality& x : f) {
    s += normalized_sd(x.eta);
  }
  return f.empty() ? 0.0 : s / double(f.size());
}

std::vector<double> eq6_scales(const std::vector<double>& eta) {
  const double mean =
      eta.empty() ? 0.0 : std::accumulate(eta.begin(), eta.end(), 0.0) / double(eta.size());
  std::vector<double> s(eta.size(), 1.0);
  for (size_t c = 0; c < eta.size(); ++c) {
    if (eta[c] > 0.0) {
      s[c] = mean / eta[c];
    }
  }
  return s;
}

}  // namespace safsim
