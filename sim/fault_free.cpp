// Fault-free baseline (fault_free.h): a second deployment without faults and one functional
// pass, cheap next to a cycle-engine run and a fraction of an eval.
#include "sim/fault_free.h"

#include <fmt/format.h>

#include <cmath>

#include "memory/deployment.h"
#include "sim/engines/functional_engine.h"

namespace safsim {

bool injects_faults(const FaultsConfig& f) {
  const StuckAtConfig& sa = f.weights.stuck_at;
  return sa.rate > 0 || !sa.map_file.empty() || f.weights.bitflip.mode != FaultKind::kNone ||
         f.weights.read_errors.ber > 0 || f.activations.bitflip.mode != FaultKind::kNone ||
         !f.scheduled_flips.empty();
}

Logits fault_free_logits(const Workload& w, int threads,
                         const FunctionalEngine::ImagesDone& images_done) {
  // No encoder either: without faults every scheme decodes to the quantized weights, and the
  // sweep's baseline is defined the same way (WorkloadCache::prepare).
  const DeployedWeights clean =
      deploy(w.qmodel, FaultsConfig{}, MitigationConfig{}, /*seed=*/0, /*trial=*/0, nullptr);
  const FunctionalEngine engine(w.qmodel, clean, threads);
  return engine.run(w.images, images_done);
}

double top1_agreement(const Logits& a, const Logits& b) {
  if (a.images == 0) {
    return 1.0;
  }
  int same = 0;
  for (int i = 0; i < a.images; ++i) {
    same += a.top1(i) == b.top1(i) ? 1 : 0;
  }
  return double(same) / a.images;
}

double mean_abs_logit_change(const Logits& a, const Logits& b) {
  const int64_t n = int64_t{a.images} * a.classes;
  if (n == 0) {
    return 0.0;
  }
  double sum = 0.0;
  for (int i = 0; i < a.images; ++i) {
    for (int k = 0; k < a.classes; ++k) {
      sum += std::abs(a.value(i, k) - b.value(i, k));
    }
  }
  return sum / double(n);
}

Outcome measure_outcome(const Workload& w, const Logits& logits, bool faulty, int threads,
                        const char* engine, const FunctionalEngine::ImagesDone& images_done) {
  Outcome o;
  o.fault_free = faulty ? fault_free_logits(w, threads, images_done) : logits;
  o.fault_free_engine = faulty ? "functional" : engine;
  if (w.images.has_labels()) {
    o.accuracy = accuracy(logits, w.images.labels);
    o.fault_free_accuracy = accuracy(o.fault_free, w.images.labels);
  }
  o.top1_agreement = top1_agreement(logits, o.fault_free);
  o.mean_abs_logit_change = mean_abs_logit_change(logits, o.fault_free);
  return o;
}

std::string baseline_text(double accuracy, double fault_free) {
  return fmt::format("fault-free {:.2f}%, drop {:.2f} points", 100.0 * fault_free,
                     100.0 * (fault_free - accuracy));
}

std::string agreement_text(const Outcome& o) {
  return fmt::format("top-1 agreement {:.2f}%, mean |logit change| {:.4g}",
                     100.0 * o.top1_agreement, o.mean_abs_logit_change);
}

}  // namespace safsim
