// Metric catalogue and per-trial metric values (metrics.h). Deployment metrics come from
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

double named_value(const std::vector<std::pair<std::string, double>>& values,
                   const std::string& name) {
  for (const auto& [n, v] : values) {
    if (n == name) {
      return v;
    }
  }
  return 0.0;
}

/// Field `index` (in visit() order) of a trial's deployment statistics, bin `column` of a
/// histogram field.
double deployment_value(const DeploymentStats& st, int index, int column) {
  double out = 0.0;
  int i = 0;
  st.visit([&](const char*, const auto& value) {
    using T = std::decay_t<decltype(value)>;
    if (i++ != index) {
      return;
    }
    if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
      out = double(value[size_t(column)]);
    } else {
      out = double(value);
    }
  });
  return out;
}

double weight_share(const DeploymentStats& st, int64_t count) {
  return double(count) / (st.weights > 0 ? double(st.weights) : 1.0);
}

std::vector<MetricInfo> build_catalog() {
  std::vector<MetricInfo> c = {
      {"accuracy", "top-1 accuracy on the point's test images (0..1)", false, 1,
       [](const TrialMeasurement& m, int) { return m.accuracy; }},
      {"accuracy_drop", "fault-free accuracy minus accuracy (same model, no faults)", false, 1,
       [](const TrialMeasurement& m, int) { return m.fault_free_accuracy - m.accuracy; }},
      {"fault_free_accuracy", "accuracy of the point's model without faults", false, 1,
       [](const TrialMeasurement& m, int) { return m.fault_free_accuracy; }},
      {"failure_rate",
       "share of the images correct without faults that are misclassified (002 Sec. V-D); "
       "functional engine only",
       false, 1, [](const TrialMeasurement& m, int) { return m.failure_rate; }},
      {"top1_agreement",
       "share of images whose top-1 is the fault-free run's (1 - SDC rate); needs no labels", false,
       1, [](const TrialMeasurement& m, int) { return m.top1_agreement; }},
      {"mean_abs_logit_change",
       "mean |logit - fault-free logit| over images and classes (real values); needs no labels",
       false, 1, [](const TrialMeasurement& m, int) { return m.mean_abs_logit_change; }},
      {"ratio_1_non_silent", "weights_with_1_non_silent / weights (001 Table 3)", false, 1,
       [](const TrialMeasurement& m, int) {
         return weight_share(m.stats, m.stats.weights_with_1_non_silent);
       }},
      {"ratio_2plus_non_silent", "weights_with_2plus_non_silent / weights (001 Table 3)", false, 1,
       [](const TrialMeasurement& m, int) {
         return weight_share(m.stats, m.stats.weights_with_2plus_non_silent);
       }},
  };
  const DeploymentStats probe;
  int index = 0;
  probe.visit([&](const char* name, const auto& value) {
    using T = std::decay_t<decltype(value)>;
    auto get = [index](const TrialMeasurement& m, int column) {
      return deployment_value(m.stats, index, column);
    };
    if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
      c.push_back({name, "deployment: weights per log2 deviation bin (001 Fig. 9)", false,
                   DeploymentStats::kHistogramBins, get});
    } else {
      c.push_back({name, "deployment statistic (memory/deployment_stats.h)", false, 1, get});
    }
    ++index;
  });
  // The cycle engine's figures, as summary.json of `safsim run` reports them.
  const std::vector<std::pair<std::string, const char*>> cycle = {
      {"cycles", "cycles of the whole run (all images)"},
      {"cycles_per_image", "cycles per image"},
      {"latency_us_per_image", "microseconds per image at accelerator.clock_mhz"},
      {"utilization", "MACs / (PEs x cycles), 0..1"},
      {"stall_share", "stall cycles / cycles, 0..1"},
      {"energy_pj",
       "energy of the run in pJ: NVM reads, SRAM accesses and MACs (counts x nvm_tech table)"},
      {"energy_uj_per_image", "energy per image in uJ"},
      {"nvm_reads_per_image", "NVM word reads per image (each through the read-path decoder)"},
      {"sram_accesses_per_image", "ifmap and ofmap SRAM word reads and writes per image"}};
  for (const auto& [name, doc] : cycle) {
    c.push_back({name, doc, true, 1, [name = name](const TrialMeasurement& m, int) {
                   return named_value(m.cycle, name);
                 }});
  }
  return c;
}

std::string column_name(const MetricInfo& m, int column) {
  return m.columns == 1 ? m.name : fmt::format("{}_{}", m.name, column);
}

/// Every column of the catalogue -> its metric and column index.
const std::map<std::string, std::pair<const MetricInfo*, int>>& column_index() {
  static const std::map<std::string, std::pair<const MetricInfo*, int>> index = [] {
    std::map<std::string, std::pair<const MetricInfo*, int>> out;
    for (const MetricInfo& m : metric_catalog()) {
      for (int b = 0; b < m.columns; ++b) {
        out.emplace(column_name(m, b), std::make_pair(&m, b));
      }
    }
    return out;
  }();
  return index;
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
  for (int b = 0; b < m.columns; ++b) {
    out.push_back(column_name(m, b));
  }
}

}  // namespace

const std::vector<std::string>& cycle_metric_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const MetricInfo& m : metric_catalog()) {
      if (m.cycle_only) {
        n.push_back(m.name);
      }
    }
    return n;
  }();
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
  const auto& index = column_index();
  std::vector<double> out;
  out.reserve(columns.size());
  for (const std::string& c : columns) {
    const auto it = index.find(c);
    out.push_back(it != index.end() ? it->second.first->get(m, it->second.second)
                                    : named_value(m.selftest, c));
  }
  return out;
}

std::string metric_reference_markdown() {
  std::string md = "| metric | columns | engine | meaning |\n|---|---|---|---|\n";
  for (const MetricInfo& m : metric_catalog()) {
    const std::string cols = m.columns == 1 ? "1"
                                            : fmt::format("{} (`{}_0` … `{}_{}`)", m.columns,
                                                          m.name, m.name, m.columns - 1);
    md += fmt::format("| `{}` | {} | {} | {} |\n", m.name, cols, m.cycle_only ? "cycle" : "any",
                      m.doc);
  }
  return md;
}

}  // namespace safsim
