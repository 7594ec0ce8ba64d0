// Failure rate vs BER: images shared out to threads; per image one fault-free trace, then the
// flips of every (BER, run) replayed on it. Counts are integers, summed in any order.
#include "sim/analysis/ber_failures.h"

#include <atomic>
#include <cmath>
#include <memory>
#include <mutex>
#include <thread>

#include "base/parallel.h"
#include "hw_models/activation_faults.h"
#include "sim/analysis/flip_replay.h"

namespace safsim {

std::vector<BerPoint> ber_failure_rates(const DecodedModel& m, const Dataset& images,
                                        const BitFlipConfig& flips,
                                        const std::vector<double>& rates, int runs, uint64_t seed,
                                        int threads,
                                        const std::function<void(int images)>& images_done) {
  std::vector<std::unique_ptr<ActivationFaultPlan>> plans;  // [rate][run]
  for (double rate : rates) {
    BitFlipConfig c = flips;
    c.mode = FaultKind::kRandomFlips;
    c.rate = rate;
    for (int r = 0; r < runs; ++r) {
      plans.push_back(std::make_unique<ActivationFaultPlan>(m.qm, c, seed, r));
    }
  }
  const int t_count = std::max(1, std::min(threads, images.count));
  std::vector<std::vector<int64_t>> failed(t_count, std::vector<int64_t>(plans.size(), 0));
  std::vector<int64_t> correct(t_count, 0);
  std::atomic<int> next{0};
  std::mutex report;
  auto worker = [&](int w) {
    FlipReplay replay(m);
    ImageTrace t;
    for (int i = next++; i < images.count; i = next++) {
      trace_image(m, images.image(i), t);
      const int label = images.labels[i];
      // Failures count only originally correct images (002 Sec. V-D).
      if (t.top1 == label) {
        ++correct[w];
        const int64_t index = images.first_index + i;  // flips are keyed by the dataset index
        for (size_t p = 0; p < plans.size(); ++p) {
          if (replay.top1_with_flips(t, plans[p]->flips(index)) != label) {
            ++failed[w][p];
          }
        }
      }
      if (images_done) {
        std::lock_guard<std::mutex> lock(report);
        images_done(1);
      }
    }
  };
  run_on_threads(t_count, worker);
  int64_t ok = 0;
  for (int64_t c : correct) {
    ok += c;
  }
  std::vector<BerPoint> out;
  for (size_t ri = 0; ri < rates.size(); ++ri) {
    BerPoint b;
    b.rate = rates[ri];
    for (int r = 0; r < runs; ++r) {
      int64_t f = 0;
      for (int w = 0; w < t_count; ++w) {
        f += failed[w][ri * runs + r];
      }
      b.failure_rate.push_back(ok > 0 ? double(f) / double(ok) : 0.0);
    }
    double s = 0.0;
    for (double v : b.failure_rate) {
      s += v;
    }
    b.mean = s / runs;
    double ss = 0.0;
    for (double v : b.failure_rate) {
      ss += (v - b.mean) * (v - b.mean);
    }
    b.sd = runs > 1 ? std::sqrt(ss / (runs - 1)) : 0.0;
    b.ci95 = 1.959964 * b.sd / std::sqrt(double(runs));
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace safsim
