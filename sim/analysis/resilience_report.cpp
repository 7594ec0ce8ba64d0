// CSV formatting of the resilience analyses.
#include "sim/analysis/resilience_report.h"

#include <fmt/format.h>

#include <algorithm>

namespace safsim {

std::string relevance_csv(const QuantModel& qm, const MeanRelevance& r) {
  std::string s = "layer,name,feature,rho\n";
  for (size_t li = 0; li < qm.layers.size(); ++li) {
    for (size_t k = 0; k < r.feature[li].size(); ++k) {
      s += fmt::format("{},{},{},{:.9g}\n", li, qm.layers[li].name, k, r.feature[li][k]);
    }
  }
  return s;
}

std::string criticality_csv(const QuantModel& qm, const std::vector<FeatureCriticality>& f) {
  std::string s = "layer,name,consumers,feature,eta,eta_normalized,eq6_scale\n";
  for (const FeatureCriticality& x : f) {
    std::vector<std::string> names;
    for (int c : x.consumers) {
      names.push_back(qm.layers[c].name);
    }
    const std::vector<double> scale = eq6_scales(x.eta);
    double mean = 0.0;
    for (double e : x.eta) {
      mean += e / double(x.eta.size());
    }
    for (size_t c = 0; c < x.eta.size(); ++c) {
      s += fmt::format("{},{},{},{},{:.9g},{:.9g},{:.9g}\n", x.layer, qm.layers[x.layer].name,
                       fmt::join(names, ";"), c, x.eta[c], mean > 0 ? x.eta[c] / mean : 0.0,
                       scale[c]);
    }
  }
  return s;
}

std::string neurons_csv(const QuantModel& qm, const NeuronFailures& f) {
  std::string s = "layer,name,element,channel,y,x,failures,failure_rate\n";
  s.reserve(f.neurons.size() * 48);
  for (size_t i = 0; i < f.neurons.size(); ++i) {
    const Neuron& n = f.neurons[i];
    const Shape& sh = qm.layers[n.layer].out_shape;
    const int64_t hw = int64_t{sh.h} * sh.w;
    s += fmt::format("{},{},{},{},{},{},{},{:.6f}\n", n.layer, qm.layers[n.layer].name, n.element,
                     n.element / hw, n.element % hw / sh.w, n.element % sh.w, f.failures[i],
                     f.rate(i));
  }
  return s;
}

std::string histogram_csv(const std::vector<std::string>& names,
                          const std::vector<std::vector<int64_t>>& histograms) {
  std::string s = fmt::format("bin_lo,bin_hi,{}\n", fmt::join(names, ","));
  const size_t bins = histograms.empty() ? 0 : histograms.front().size();
  for (size_t b = 0; b < bins; ++b) {
    s += fmt::format("{:.6g},{:.6g}", double(b) / double(bins), double(b + 1) / double(bins));
    for (const auto& h : histograms) {
      s += fmt::format(",{}", h[b]);
    }
    s += "\n";
  }
  return s;
}

std::string ber_csv(const std::vector<std::string>& names,
                    const std::vector<std::vector<BerPoint>>& points) {
  std::string s = "model,rate,runs,mean,sd,ci95_lo,ci95_hi,min,max\n";
  for (size_t m = 0; m < names.size(); ++m) {
    for (const BerPoint& p : points[m]) {
      const auto [lo, hi] = std::minmax_element(p.failure_rate.begin(), p.failure_rate.end());
      s += fmt::format("{},{:.6g},{},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g}\n", names[m], p.rate,
                       p.failure_rate.size(), p.mean, p.sd, p.mean - p.ci95, p.mean + p.ci95, *lo,
                       *hi);
    }
  }
  return s;
}

}  // namespace safsim
