// Bias compensation: one layer-by-layer functional pass over the calibration images on the words
// the deployer believes are stored, shifting each array layer's biases before the layer runs.
#include "sim/bias_compensation.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

#include "base/errors.h"
#include "sim/engines/functional_engine.h"

namespace safsim {

int64_t compensation_shift(Int128 change_sum, int64_t rows) {
  const Int128 magnitude = change_sum < 0 ? -change_sum : change_sum;
  const Int128 rounded = (2 * magnitude + rows) / (2 * Int128{rows});
  return static_cast<int64_t>(change_sum < 0 ? rounded : -rounded);
}

void compensate_biases(const QuantModel& qm, DeployedWeights& w, const Dataset& calibration,
                       int threads, DeploymentStats& st) {
  if (qm.is_float()) {
    throw UserError("mitigation.bias_compensation mean needs an integer weight format");
  }
  if (calibration.count == 0) {
    throw UserError("mitigation.bias_compensation mean needs calibration images (quant.*)");
  }
  QuantModel model = qm;  // its biases change layer by layer as the pass reaches them
  DeployedWeights believed;
  believed.read_path = w.read_path;
  believed.stored = w.believed;
  const FunctionalEngine engine(model, believed, threads);
  double change_total = 0.0, shift_total = 0.0;
  int64_t channels = 0, max_shift = 0;
  w.bias.assign(qm.layers.size(), {});
  engine.run_layer_by_layer(
      calibration, [&](int li, const std::vector<int64_t>& sums, int64_t rows) {
        QLayer& q = model.layers[size_t(li)];
        const std::vector<uint32_t> decoded = w.read_path.decode_words(w.believed[size_t(li)]);
        const auto kc = size_t(q.reduction);
        for (int o = 0; o < q.out_channels; ++o) {
          const size_t g = size_t(o / q.group_out());
          Int128 change = 0;
          for (size_t k = 0; k < kc; ++k) {
            const size_t i = size_t(o) * kc + k;
            const int64_t dw = int64_t{qm.weight_format.to_int(decoded[i])} -
                               qm.weight_format.to_int(q.weight_words[i]);
            change += Int128{dw} * sums[g * kc + k];
          }
          const int64_t shift = compensation_shift(change, rows);
          const int64_t biased = std::clamp<int64_t>(int64_t{q.bias[size_t(o)]} + shift,
                                                     std::numeric_limits<int32_t>::min(),
                                                     std::numeric_limits<int32_t>::max());
          q.bias[size_t(o)] = static_cast<int32_t>(biased);
          change_total += std::abs(double(change) / double(rows));
          shift_total += double(int64_t{std::llabs(shift)});
          max_shift = std::max(max_shift, int64_t{std::llabs(shift)});
          ++channels;
        }
        w.bias[size_t(li)] = q.bias;
      });
  std::vector<std::vector<uint32_t>>().swap(w.believed);
  st.mean_abs_expected_change = channels > 0 ? change_total / double(channels) : 0.0;
  st.mean_abs_bias_shift = channels > 0 ? shift_total / double(channels) : 0.0;
  st.max_abs_bias_shift = max_shift;
}

}  // namespace safsim
