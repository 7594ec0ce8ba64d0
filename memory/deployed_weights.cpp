// Fault-free deployment, and the model with its deployed biases.
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

QuantModel deployed_model(const QuantModel& qm, const DeployedWeights& w) {
  QuantModel m = qm;
  for (size_t i = 0; i < w.bias.size() && i < m.layers.size(); ++i) {
    if (!w.bias[i].empty()) {
      m.layers[i].bias = w.bias[i];
    }
  }
  return m;
}

}  // namespace safsim
