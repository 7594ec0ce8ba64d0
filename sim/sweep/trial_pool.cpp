// Trial worker threads (trial_pool.h).
#include "sim/sweep/trial_pool.h"

#include <pthread.h>

#include <csignal>
#include <exception>

namespace safsim {

TrialPool::TrialPool(const SweepPlan& plan, const WorkloadCache& cache,
                     std::vector<int64_t> trial_ids, int threads, const TrialContext& ctx)
    : plan_(plan), cache_(cache), ids_(std::move(trial_ids)), ctx_(ctx) {
  running_ = threads;
  for (int t = 0; t < threads; ++t) {
    workers_.emplace_back([this] { work(); });
  }
}

TrialPool::~TrialPool() {
  stop_ = true;
  for (std::thread& t : workers_) {
    t.join();
  }
}

void TrialPool::work() {
  // Signals go to the main thread, which decides what an interrupt means.
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &block, nullptr);
  while (!stop_) {
    const size_t i = next_++;
    if (i >= ids_.size()) {
      break;
    }
    const SweepPoint point = plan_.point(ids_[i] / plan_.repeat);
    const int trial = int(ids_[i] % plan_.repeat);
    try {
      const PreparedWorkload& prepared = cache_.at(point.config);
      TrialRecord r = run_trial(plan_, point, trial, prepared, ctx_);
      trial_images_ += prepared.workload.images.count;
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(r));
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (error_.empty()) {
        error_ = e.what();
      }
      stop_ = true;
    }
    ready_.notify_one();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  --running_;
  ready_.notify_one();
}

std::vector<TrialRecord> TrialPool::take(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  ready_.wait_for(lock, timeout, [this] { return !queue_.empty() || running_ == 0; });
  std::vector<TrialRecord> out;
  out.swap(queue_);
  return out;
}

bool TrialPool::finished() {
  std::lock_guard<std::mutex> lock(mutex_);
  return running_ == 0 && queue_.empty();
}

std::string TrialPool::error() {
  std::lock_guard<std::mutex> lock(mutex_);
  return error_;
}

}  // namespace safsim
