// The one way work is spread over threads here: worker w of `threads` runs on its own thread,
// worker 0 on the caller's, and all are joined before returning. Workers take their share by
// index or from an atomic counter; results are reduced afterwards in a fixed order, so they do
// not depend on the thread count (docs/design.md, invariant 4).
#pragma once

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

namespace safsim {

/// The cores of this machine (at least 1).
inline int machine_cores() { return int(std::max(1u, std::thread::hardware_concurrency())); }

/// The worker threads a `threads` key or option asks for: itself if positive, else every core.
inline int resolve_threads(int requested) { return requested > 0 ? requested : machine_cores(); }

/// A worker that throws does not take the process down: every worker is joined, then the first
/// exception (lowest worker index) is rethrown on the calling thread.
///   run_on_threads(2, [&](int w) { partial[w] = work(w); });
template <class F>
void run_on_threads(int threads, F&& worker) {
  std::vector<std::exception_ptr> errors(size_t(std::max(threads, 1)));
  auto guarded = [&worker, &errors](int w) {
    try {
      worker(w);
    } catch (...) {
      errors[size_t(w)] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (int w = 1; w < threads; ++w) {
    pool.emplace_back(guarded, w);
  }
  guarded(0);
  for (std::thread& t : pool) {
    t.join();
  }
  for (const std::exception_ptr& e : errors) {
    if (e) {
      std::rethrow_exception(e);
    }
  }
}

}  // namespace safsim
