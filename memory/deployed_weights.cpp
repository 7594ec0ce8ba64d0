// Fault-free deployment.
#include "memory/deployed_weights.h"

namespace safsim {

DeployedWeights deploy_fault_free(const QuantModel& qm) {
  DeployedWeights d;
  d.read_path.scheme = MitigationScheme::kNone;
  d.read_path.format = qm.weight_format;
  d.stored.resize(qm.layers.size());
  for (size_t i = 0; i < qm.layers.size(); ++i) {
    d.stored[i] = qm.layers[i].weight_words;
  }
  return d;
}

}  // namespace safsim
