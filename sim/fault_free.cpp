// Fault-free baseline (fault_free.h): a second deployment without faults and one functional
// pass, cheap next to a cycle-engine run and a fraction of an eval.
#include "sim/fault_free.h"

#include <fmt/format.h>

#include "memory/deployment.h"
#include "sim/engines/functional_engine.h"

namespace safsim {

bool injects_faults(const FaultsConfig& f) {
  const StuckAtConfig& sa = f.weights.stuck_at;
  return sa.rate > 0 || !sa.map_file.empty() || f.weights.bitflip.mode != FaultKind::kNone ||
         f.activations.bitflip.mode != FaultKind::kNone || !f.scheduled_flips.empty();
}

double fault_free_accuracy(const Workload& w, int threads) {
  // No encoder either: without faults every scheme decodes to the quantized weights, and the
  // sweep's baseline is defined the same way (WorkloadCache::prepare).
  const DeployedWeights clean =
      deploy(w.qmodel, FaultsConfig{}, MitigationConfig{}, /*seed=*/0, /*trial=*/0, nullptr);
  const FunctionalEngine engine(w.qmodel, clean, threads);
  return accuracy(engine.run(w.images), w.images.labels);
}

std::string baseline_text(double accuracy, double fault_free) {
  return fmt::format("fault-free {:.2f}%, drop {:.2f} points", 100.0 * fault_free,
                     100.0 * (fault_free - accuracy));
}

}  // namespace safsim
