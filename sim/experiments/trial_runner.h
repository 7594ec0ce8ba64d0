// One sweep trial: deploy the point's quantized model with the trial's fault map, run it, and
// measure. The functional engine runs in-process; the cycle engine runs in a child `safsim run`
// process, because SystemC elaborates only once per process (error E113).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/experiments/sweep_journal.h"
#include "sim/experiments/sweep_metrics.h"
#include "sim/experiments/sweep_plan.h"
#include "sim/pipeline.h"

namespace safsim {

/// What all trials of the points with one workload_key() share: computed once, then read-only.
struct PreparedWorkload {
  Workload workload;
  double fault_free_accuracy = 0.0;
};

/// Prepared workloads by workload_key(). prepare() runs before the trials start, so the
/// parallel trials only read the cache.
///   WorkloadCache cache;
///   cache.prepare(plan.points[0].config, /*threads=*/2);
///   const PreparedWorkload& w = cache.at(plan.points[0].config);
class WorkloadCache {
 public:
  /// Loads, quantizes and measures the fault-free accuracy (functional engine, `threads`),
  /// unless a point with the same workload key was prepared already.
  void prepare(const Config& c, int threads);
  const PreparedWorkload& at(const Config& c) const;
  size_t size() const { return cache_.size(); }

 private:
  std::map<std::string, std::unique_ptr<PreparedWorkload>> cache_;
};

/// How trials run.
struct TrialContext {
  int engine_threads = 1;   // threads of one functional-engine run
  std::string safsim_exe;   // the `safsim` binary, for cycle-engine trials
  std::string scratch_dir;  // where cycle-engine trials write their run directories
};

/// Runs trial `trial` of `point` and returns its record (metrics in plan.metrics order).
/// Throws UserError naming the point and trial when deployment or the child run fails.
///   TrialRecord r = run_trial(plan, plan.points[3], 7, cache.at(plan.points[3].config), ctx);
TrialRecord run_trial(const SweepPlan& plan, const SweepPoint& point, int trial,
                      const PreparedWorkload& prepared, const TrialContext& ctx);

}  // namespace safsim
