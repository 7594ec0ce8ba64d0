// Metric catalogue and per-trial metric values (sweep_metrics.h). Deployment metrics come from
// DeploymentStats::visit(), so a field added there is a metric here without another list.
#include "sim/sweep/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <type_traits>

#include "base/did_you_mean.h"
#include "base/errors.h"

namespace safsim {
namespace {

std::vector<MetricInfo> build_catalog() {
  std::vector<MetricInfo> c = {
      {"accuracy", "top-1 accuracy on the point's test images (0..1)", false, 1},
      {"accuracy_drop", "fault-free accuracy minus accuracy (same model, no faults)", false, 1},
      {"fault_free_accuracy", "accuracy of the point's model without faults", false, 1},
      {"failure_rate",
       "share of the images correct without faults that are misclassified (002 Sec. V-D); "
       "functional engine only",
       false, 1},
      {"ratio_1_non_silent", "weights_with_1_non_silent / weights (001 Table 3)", false, 1},
      {"ratio_2plus_non_silent", "weights_with_2plus_non_silent / weights (001 Table 3)", false, 1},
  };
  const DeploymentStats probe;
  probe.visit([&](const char* name, const auto& value) {
    using T = std::decay_t<decltype(value)>;
    if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
      c.push_back({name, "deployment: weights per log2 deviation bin (001 Fig. 9)", false,
                   DeploymentStats::kHistogramBins});
    } else {
      c.push_back({name, "deployment statistic (memory/deployment_stats.h)", false, 1});
    }
  });
  for (const std::string& name : cycle_metric_names()) {
    c.push_back({name, "cycle engine (safsim run summary.json)", true, 1});
  }
  return c;
}

const MetricInfo* find_metric(const std::string& name) {
  for (const MetricInfo& m : metric_catalog()) {
    if (m.name == name) {
      return &m;
    }
  }
  return nullptr;
}

void add_columns(const MetricInfo& m, std::vector<std::string>& out) {
  if (m.columns == 1) {
    out.push_back(m.name);
    return;
  }
  for (int b = 0; b < m.columns; ++b) {
    out.push_back(fmt::format("{}_{}", m.name, b));
  }
}

}  // namespace

const std::vector<std::string>& cycle_metric_names() {
  static const std::vector<std::string> names = {
      "cycles",      "cycles_per_image", "latency_us_per_image", "utilization",
      "stall_share", "energy_pj",        "energy_uj_per_image"};
  return names;
}

const std::vector<MetricInfo>& metric_catalog() {
  static const std::vector<MetricInfo> catalog = build_catalog();
  return catalog;
}

std::vector<SweepMetricName> effective_metrics(const std::vector<SweepMetricName>& requested,
                                               bool all_cycle) {
  if (!requested.empty()) {
    return requested;
  }
  std::vector<SweepMetricName> out = {{"accuracy", "default"}, {"accuracy_drop", "default"}};
  if (all_cycle) {
    out.push_back({"cycles_per_image", "default"});
    out.push_back({"energy_uj_per_image", "default"});
  }
  return out;
}

std::vector<std::string> metric_columns(const std::vector<SweepMetricName>& requested,
                                        bool all_cycle) {
  std::vector<std::string> out;
  std::vector<std::string> names;
  for (const MetricInfo& m : metric_catalog()) {
    names.push_back(m.name);
  }
  std::map<std::string, std::string> seen;
  for (const SweepMetricName& r : requested) {
    const MetricInfo* m = find_metric(r.name);
    if (m == nullptr) {
      const std::string hint = did_you_mean(r.name, names);
      throw ConfigError(fmt::format(
          "{}: unknown metric '{}'{}; known metrics: {}", r.origin, r.name,
          hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint), fmt::join(names, ", ")));
    }
    if (!seen.emplace(r.name, r.origin).second) {
      throw ConfigError(
          fmt::format("{}: metric '{}' is already listed at {}", r.origin, r.name, seen[r.name]));
    }
    if (m->cycle_only && !all_cycle) {
      throw ConfigError(
          fmt::format("{}: metric '{}' comes from the cycle engine, but the sweep "
                      "runs the functional engine at some points; set engine: cycle",
                      r.origin, r.name));
    }
    add_columns(*m, out);
  }
  return out;
}

std::vector<double> metric_values(const std::vector<std::string>& columns,
                                  const TrialMeasurement& m) {
  std::map<std::string, double> v;
  v["accuracy"] = m.accuracy;
  v["accuracy_drop"] = m.fault_free_accuracy - m.accuracy;
  v["fault_free_accuracy"] = m.fault_free_accuracy;
  v["failure_rate"] = m.failure_rate;
  const DeploymentStats& st = m.stats;
  const double weights = st.weights > 0 ? double(st.weights) : 1.0;
  v["ratio_1_non_silent"] = double(st.weights_with_1_non_silent) / weights;
  v["ratio_2plus_non_silent"] = double(st.weights_with_2plus_non_silent) / weights;
  st.visit([&](const char* name, const auto& value) {
    using T = std::decay_t<decltype(value)>;
    if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
      for (size_t b = 0; b < value.size(); ++b) {
        v[fmt::format("{}_{}", name, b)] = double(value[b]);
      }
    } else {
      v[name] = double(value);
    }
  });
  for (const auto& [name, value] : m.cycle) {
    v[name] = value;
  }
  for (const auto& [name, value] : m.selftest) {
    v[name] = value;
  }
  std::vector<double> out;
  out.reserve(columns.size());
  for (const std::string& c : columns) {
    const auto it = v.find(c);
    out.push_back(it == v.end() ? 0.0 : it->second);
  }
  return out;
}

}  // namespace safsim
