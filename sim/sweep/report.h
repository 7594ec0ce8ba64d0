// The result files of a finished sweep: results.csv (one row per trial), aggregate.csv (per
// point: mean, std, min, max and 95% confidence interval of every metric) and summary.json.
// Pure functions of the plan and the sorted records: no timestamps, so reruns are byte-identical.
#pragma once

#include <string>
#include <vector>

#include "sim/sweep/journal.h"
#include "sim/sweep/plan.h"
#include "sim/written_files.h"

namespace safsim {

/// Summary statistics of one metric at one point. Undefined figures (std, CI of one trial)
/// are NaN and written as "nan".
struct MetricSummary {
  int n = 0;
  double mean = 0, std = 0, min = 0, max = 0, ci95_lo = 0, ci95_hi = 0;
};

/// Mean, sample standard deviation, extremes and the Student-t 95% interval of the mean.
///   MetricSummary s = summarize({0.9, 0.8, 0.85});  // s.ci95_lo < s.mean < s.ci95_hi
MetricSummary summarize(const std::vector<double>& values);

/// Two-sided 95% quantile of Student's t with `df` degrees of freedom (df >= 1).
double t_quantile_975(int df);

/// A share k/n with its 95% Wilson score interval (NaN when n = 0).
struct Proportion {
  int k = 0, n = 0;
  double value = 0, lo = 0, hi = 0;
};
///   Proportion p = wilson_interval(18, 20);  // 0.9 in [0.699, 0.972]
Proportion wilson_interval(int k, int n);

/// `records` must hold every (point, trial) of the plan exactly once, sorted by (point, trial).
std::string results_csv(const SweepPlan& plan, const std::vector<TrialRecord>& records);
std::string aggregate_csv(const SweepPlan& plan, const std::vector<TrialRecord>& records);
std::string summary_json(const SweepPlan& plan, const std::vector<TrialRecord>& records);
/// Detection sweeps (plan.selftest): per point and strategy, the confusion counts of the
/// self-test against the harmful ground truth and detection accuracy (TP+TN)/maps, TPR and FPR
/// with Wilson intervals (000 Figs. 1-2).
std::string detection_csv(const SweepPlan& plan, const std::vector<TrialRecord>& records);

/// Writes results.csv, aggregate.csv, summary.json and sweep.resolved.yaml (and detection.csv
/// for a detection sweep) into out.dir(), each atomically, and lists them in `out`.
///   WrittenFiles out("out/rates");
///   write_sweep_outputs(out, plan, sorted_records);
void write_sweep_outputs(WrittenFiles& out, const SweepPlan& plan,
                         const std::vector<TrialRecord>& records);

}  // namespace safsim
