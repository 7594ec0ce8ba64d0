// Worker threads that run this process's share of a sweep's trials. Finished records queue up
// for the calling thread, which alone writes the journal and talks MPI.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sim/sweep/journal.h"
#include "sim/sweep/trial_runner.h"

namespace safsim {

/// Trials are numbered point * repeat + trial. Workers take them in list order from a shared
/// counter; a trial's result does not depend on which worker ran it or when.
///   TrialPool pool(plan, cache, ids, /*threads=*/2, ctx);
///   while (!pool.finished()) { for (auto& r : pool.take(100ms)) journal(r); }
class TrialPool {
 public:
  TrialPool(const SweepPlan& plan, const WorkloadCache& cache, std::vector<int64_t> trial_ids,
            int threads, const TrialContext& ctx);
  /// Stops starting trials and joins the workers (each finishes its running trial).
  ~TrialPool();
  TrialPool(const TrialPool&) = delete;
  TrialPool& operator=(const TrialPool&) = delete;

  /// Records finished since the last call; waits up to `timeout` when there are none yet.
  std::vector<TrialRecord> take(std::chrono::milliseconds timeout);
  /// No trial starts after this; running ones finish and are queued.
  void stop() { stop_ = true; }
  /// Every worker has exited (all trials done, stopped, or failed) and the queue is empty.
  bool finished();
  /// The first trial error, empty when none.
  std::string error();
  /// Sum over finished trials of the images each ran.
  int64_t trial_images() const { return trial_images_; }

 private:
  void work();

  const SweepPlan& plan_;
  const WorkloadCache& cache_;
  const std::vector<int64_t> ids_;
  const TrialContext ctx_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> trial_images_{0};
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<TrialRecord> queue_;
  std::string error_;
  int running_ = 0;
  std::vector<std::thread> workers_;
};

}  // namespace safsim
