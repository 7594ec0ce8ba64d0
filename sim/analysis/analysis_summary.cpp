// summary.json figures of the 002 analyses.
#include "sim/analysis/analysis_summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "base/errors.h"
#include "sim/analysis/sample_size.h"

namespace safsim {
namespace {

nlohmann::ordered_json layer_stats(const QuantModel& qm, const NeuronFailures& f) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (size_t li = 0; li < qm.layers.size(); ++li) {
    int64_t n = 0;
    double sum = 0.0, worst = 0.0;
    for (size_t i = 0; i < f.neurons.size(); ++i) {
      if (f.neurons[i].layer == static_cast<int>(li)) {
        ++n;
        sum += f.rate(i);
        worst = std::max(worst, f.rate(i));
      }
    }
    if (n > 0) {
      out.push_back({{"layer", qm.layers[li].name},
                     {"neurons", n},
                     {"mean_failure_rate", sum / double(n)},
                     {"worst_failure_rate", worst}});
    }
  }
  return out;
}

}  // namespace

void add_criticality_summary(const QuantModel& qm, const std::vector<FeatureCriticality>& f,
                             nlohmann::ordered_json& s) {
  nlohmann::ordered_json tensors = nlohmann::ordered_json::array();
  for (const FeatureCriticality& x : f) {
    tensors.push_back({{"layer", qm.layers[x.layer].name},
                       {"features", x.eta.size()},
                       {"normalized_sd", normalized_sd(x.eta)}});
  }
  s["tensors"] = tensors;
  s["mean_sd_normalized_criticality"] = mean_normalized_sd(f);  // 002 Fig. 5b
}

NeuronSelection neurons_to_test(const QuantModel& qm, const AnalysisConfig& a, uint64_t seed) {
  NeuronSelection sel;
  std::vector<Neuron> all = neuron_population(qm, a.layer);
  sel.population = static_cast<int64_t>(all.size());
  if (!a.sample) {
    sel.tested = std::move(all);
    return sel;
  }
  const int64_t n = leveugle_sample_size(sel.population, a.error_margin, a.confidence);
  for (int64_t i : sample_indices(sel.population, n, seed)) {
    sel.tested.push_back(all[i]);
  }
  return sel;
}

FailureFigures failure_figures(const NeuronFailures& f) {
  FailureFigures r;
  for (size_t i = 0; i < f.neurons.size(); ++i) {
    r.worst = std::max(r.worst, f.rate(i));
    r.mean += f.rate(i) / double(f.neurons.size());
  }
  return r;
}

void add_neuron_failure_summary(const QuantModel& qm, const NeuronFailures& f,
                                const AnalysisConfig& a, uint64_t seed, int64_t population,
                                nlohmann::ordered_json& s) {
  const FailureFigures fig = failure_figures(f);
  s["bit"] = a.bit < 0 ? "msb" : std::to_string(a.bit);
  s["population"] = population;
  s["tested"] = f.neurons.size();
  if (a.sample) {
    s["sampling"] = {{"method", "Leveugle et al. DATE 2009, p = 0.5"},
                     {"error_margin", a.error_margin},
                     {"confidence", a.confidence},
                     {"t", normal_quantile_two_sided(a.confidence)},
                     {"seed", seed}};
  }
  s["correct_images"] = f.correct_images;
  s["worst_failure_rate"] = fig.worst;
  s["mean_failure_rate"] = fig.mean;
  s["layers"] = layer_stats(qm, f);
  s["seconds"] = f.seconds;
}

std::vector<double> parse_ber_rates(const AnalysisConfig& a) {
  std::vector<double> rates;
  for (const std::string& r : a.ber_rates) {
    size_t used = 0;
    double v = -1.0;
    try {
      v = std::stod(r, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != r.size() || !(v > 0.0 && v <= 1.0)) {
      throw ConfigError(
          fmt::format("analysis.ber_rates: each rate must be a number in (0, 1], got '{}'", r));
    }
    rates.push_back(v);
  }
  if (rates.empty()) {
    throw ConfigError("analysis.ber_rates: give at least one rate, e.g. [1e-4, 1e-3]");
  }
  return rates;
}

nlohmann::ordered_json ber_summary(const std::vector<BerPoint>& points) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const BerPoint& b : points) {
    rows.push_back({{"rate", b.rate},
                    {"runs", b.failure_rate.size()},
                    {"mean_failure_rate", b.mean},
                    {"sd", b.sd},
                    {"ci95_half_width", b.ci95}});
  }
  return rows;
}

}  // namespace safsim
