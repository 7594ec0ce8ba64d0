// What `safsim analyze` reports in summary.json beyond the CSV tables: the tensors of a
// criticality run, the neurons a failure run tests and its per-layer figures, the BER points.
// The CLI only loads, prints and writes (sim/cli/analyze_command.cpp).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "sim/analysis/ber_failures.h"
#include "sim/analysis/criticality.h"
#include "sim/analysis/neuron_failures.h"
#include "sim/config.h"

namespace safsim {

/// summary.json "tensors" of a criticality run and the 002 Fig. 5b mean SD.
void add_criticality_summary(const QuantModel& qm, const std::vector<FeatureCriticality>& f,
                             nlohmann::ordered_json& s);

/// The neurons a neuron-failures run tests: every neuron of `a.layer`, or a Leveugle sample of
/// them (seeded by `seed`) when `a.sample`.
struct NeuronSelection {
  std::vector<Neuron> tested;
  int64_t population = 0;
};
NeuronSelection neurons_to_test(const QuantModel& qm, const AnalysisConfig& a, uint64_t seed);

/// Worst and mean failure rate over the tested neurons.
struct FailureFigures {
  double worst = 0.0;
  double mean = 0.0;
};
FailureFigures failure_figures(const NeuronFailures& f);

/// summary.json fields of a neuron-failures run: bit, population, sampling, per-layer figures.
void add_neuron_failure_summary(const QuantModel& qm, const NeuronFailures& f,
                                const AnalysisConfig& a, uint64_t seed, int64_t population,
                                nlohmann::ordered_json& s);

/// `analysis.ber_rates` as numbers; ConfigError for a rate outside (0, 1] or an empty list.
std::vector<double> parse_ber_rates(const AnalysisConfig& a);

/// summary.json "ber": one row per rate.
nlohmann::ordered_json ber_summary(const std::vector<BerPoint>& points);

}  // namespace safsim
