// What a sweep records per trial: the metric catalogue, which engine provides each metric, and
// the mapping from one trial's measurements to the recorded columns.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "memory/deployment_stats.h"
#include "sim/sweep/spec.h"

namespace safsim {

struct TrialMeasurement;

/// One metric a sweep file may list under `metrics:`: a row of the catalogue, with the getter
/// that reads it from a trial's measurement.
struct MetricInfo {
  std::string name;
  std::string doc;
  bool cycle_only = false;  // needs engine: cycle
  int columns = 1;          // histograms expand to one column per log2 bin
  /// The value of column `column` (0 unless the metric has several) of one trial.
  std::function<double(const TrialMeasurement& m, int column)> get;
};

/// Every metric, in catalogue order. docs/sweeps.md holds the table metric_reference_markdown()
/// makes of it (a unit test keeps the two equal).
const std::vector<MetricInfo>& metric_catalog();

/// The metric table of docs/sweeps.md (`safsim metric-reference`).
std::string metric_reference_markdown();

/// `requested`, or when it is empty the defaults: accuracy and accuracy_drop, plus
/// cycles_per_image and energy_uj_per_image when every point runs the cycle engine.
std::vector<SweepMetricName> effective_metrics(const std::vector<SweepMetricName>& requested,
                                               bool all_cycle);

/// The recorded columns of `metrics` (a histogram metric expands to one column per bin).
/// Throws ConfigError at the metric's position for an unknown name (did-you-mean), a duplicate,
/// or a cycle-only metric when some point runs the functional engine.
///   auto cols = metric_columns(effective_metrics(spec.metrics, false), false);
std::vector<std::string> metric_columns(const std::vector<SweepMetricName>& metrics,
                                        bool all_cycle);

/// What one trial measured. `stats` is what deploy() reported; `cycle` holds the cycle engine's
/// figures by metric name (empty for the functional engine).
struct TrialMeasurement {
  double accuracy = 0.0;
  double fault_free_accuracy = 0.0;
  double failure_rate = 0.0;  // functional engine: 002's failure rate
  double top1_agreement = 1.0;
  double mean_abs_logit_change = 0.0;
  DeploymentStats stats;
  std::vector<std::pair<std::string, double>> cycle;
  std::vector<std::pair<std::string, double>> selftest;  // detection sweeps (detection.h)
};

/// Names of the cycle engine's figures, as summary.json of `safsim run` spells them.
const std::vector<std::string>& cycle_metric_names();

/// The values of `columns` for one trial, in column order. Columns outside the catalogue are
/// the detection experiment's (TrialMeasurement::selftest); a value not measured is 0.
///   std::vector<double> row = metric_values(cols, m);
std::vector<double> metric_values(const std::vector<std::string>& columns,
                                  const TrialMeasurement& m);

}  // namespace safsim
