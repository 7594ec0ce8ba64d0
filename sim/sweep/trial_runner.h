// One sweep trial: deploy the point's quantized model with the trial's fault map, run it, and
// measure. The functional engine runs in-process; the cycle engine runs in a child `safsim run`
// process, because SystemC elaborates only once per process (error E113).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hw_models/test_set.h"
#include "sim/pipeline.h"
#include "sim/sweep/detection.h"
#include "sim/sweep/journal.h"
#include "sim/sweep/metrics.h"
#include "sim/sweep/plan.h"

namespace safsim {

/// What a functional-engine run of one set of decoded weights gives: the accuracy, the failure
/// rate (images correct without faults that are now wrong, 002 Sec. V-D) and, in a detection
/// sweep, the self-test columns (harmful, detected_<strategy>...).
struct FunctionalOutcome {
  double accuracy = 0.0;  // 0 without labels (require_labels_for() refuses label metrics then)
  double failure_rate = 0.0;
  double top1_agreement = 1.0;  // with the fault-free run (sim/fault_free.h)
  double mean_abs_logit_change = 0.0;
  std::vector<double> selftest;
};

/// Functional-engine outcome by the decoded weights the engine sees. The engine is a pure
/// function of them (and of the images), so every trial whose faults end up masked, corrected or
/// absent (all trials at rate 0, most SEC-DED trials at low rates) reuses one engine run.
/// Keys are two independent 64-bit hashes of every decoded word. Thread-safe.
///   const AccuracyMemo::Key k = AccuracyMemo::key_of(weights);
///   if (auto acc = memo.find(k)) { ... } else { memo.insert(k, run_engine()); }

class AccuracyMemo {
 public:
  using Key = std::pair<uint64_t, uint64_t>;
  static Key key_of(const DeployedWeights& w);
  std::optional<FunctionalOutcome> find(const Key& k) const;
  void insert(const Key& k, const FunctionalOutcome& outcome);
  /// Engine runs saved so far.
  int64_t hits() const { return hits_; }

 private:
  mutable std::mutex mutex_;
  std::map<Key, FunctionalOutcome> outcome_;
  mutable std::atomic<int64_t> hits_{0};
};

/// What all trials of the points with one workload_key() share: computed once; afterwards only
/// the memo changes.
struct PreparedWorkload {
  Workload workload;  // fault-free: workload.weights holds the quantized words as they are
  double fault_free_accuracy = 0.0;
  std::vector<uint8_t> fault_free_correct;  // per image: top-1 == label without faults
  Logits fault_free;                        // the logits without faults
  mutable AccuracyMemo memo;                // filled by the (const) trials
  // Detection sweeps: one test set per strategy of SweepSelfTest::strategies, selected on the
  // fault-free workload, and the rows of workload.images its test images are.
  std::vector<TestSet> test_sets;
  std::vector<std::vector<int>> test_rows;
};

/// Throws UserError when the prepared workload's images have no labels but the plan measures
/// something that needs them (accuracy, accuracy_drop, fault_free_accuracy, failure_rate, a
/// detection experiment).
void require_labels_for(const SweepPlan& plan, const PreparedWorkload& prepared);

/// Prepared workloads by workload_key(). prepare() runs before the trials start, so the
/// parallel trials only read the cache.
///   WorkloadCache cache;
///   cache.prepare(plan.point_config(0), /*threads=*/2);
///   const PreparedWorkload& w = cache.at(plan.point_config(0));
class WorkloadCache {
 public:
  /// Loads, quantizes and measures the fault-free accuracy (functional engine, `threads`),
  /// unless a point with the same workload key was prepared already; with `selftest` enabled
  /// also selects its test sets.
  void prepare(const Config& c, int threads, const SweepSelfTest& selftest = {});
  const PreparedWorkload& at(const Config& c) const;
  size_t size() const { return cache_.size(); }
  /// Every prepared workload, in workload-key order.
  std::vector<const PreparedWorkload*> all() const;
  /// Engine runs the accuracy memos saved, over all workloads.
  int64_t memo_hits() const;

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
///   const SweepPoint p = plan.point(3);
///   TrialRecord r = run_trial(plan, p, 7, cache.at(p.config), ctx);
TrialRecord run_trial(const SweepPlan& plan, const SweepPoint& point, int trial,
                      const PreparedWorkload& prepared, const TrialContext& ctx);

}  // namespace safsim
