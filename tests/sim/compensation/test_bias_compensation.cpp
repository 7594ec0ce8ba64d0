// mitigation.bias_compensation mean: the rounding rule, and the first layer's mean accumulator
// change taken out exactly (tests/sim/compensation/test_compensation_engines.cpp: both engines).
#include <catch2/catch.hpp>
#include <cmath>

#include "memory/deployment.h"
#include "sim/analysis/network_trace.h"
#include "sim/bias_compensation.h"
#include "sim/engines/functional_engine.h"
#include "sim/quantization/quantize.h"
#include "tests/support/random_model.h"

using namespace safsim;

TEST_CASE("bias compensation rounds the expected change half away from zero", "[compensation]") {
  CHECK(compensation_shift(0, 5) == 0);
  CHECK(compensation_shift(7, 2) == -4);                                 // +3.5 -> -4
  CHECK(compensation_shift(-7, 2) == 4);                                 // -3.5 -> +4
  CHECK(compensation_shift(5, 2) == -3);                                 // +2.5 -> -3
  CHECK(compensation_shift(4, 3) == -1);                                 // +1.33 -> -1
  CHECK(compensation_shift(-5, 3) == 2);                                 // -1.67 -> +2
  CHECK(compensation_shift(Int128{3} << 62, 2) == -(int64_t{3} << 61));  // past 2^63: exact
}

namespace {

struct Deployed {
  QuantModel qm;
  Dataset calibration;
  DeployedWeights weights;
  DeploymentStats stats;
};

Deployed deployed_random(MitigationScheme scheme, TieRule ties, uint64_t seed) {
  Deployed d;
  const Model m = test::conv_pool_model(unsigned(seed));
  d.calibration = test::random_images(m.input_shape, 40, unsigned(seed) + 7);
  QuantConfig qc;
  qc.weight_bits = 4;
  d.qm = quantize(m, qc, d.calibration);
  FaultsConfig f;
  f.weights.stuck_at.rate = 0.08;
  MitigationConfig mit;
  mit.scheme = scheme;
  mit.ties = ties;
  mit.bias_compensation = BiasCompensation::kMean;
  d.weights = deploy(d.qm, f, mit, seed, /*trial=*/0, &d.stats);
  compensate_biases(d.qm, d.weights, d.calibration, 1, d.stats);
  return d;
}

}  // namespace

TEST_CASE("bias compensation takes the first layer's mean accumulator change out exactly",
          "[compensation]") {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    const Deployed d = deployed_random(MitigationScheme::kNone, TieRule::kLiteral, seed);
    int first = 0;
    while (d.qm.layers[size_t(first)].kind != QOpKind::kArray) {
      ++first;
    }
    const QLayer& q = d.qm.layers[size_t(first)];
    const DecodedModel faulty(d.qm, d.weights), clean(d.qm, deploy_fault_free(d.qm));
    std::vector<double> change(size_t(q.out_channels), 0.0);
    ImageTrace tf, tc;
    const int64_t pixels = int64_t{q.out_shape.h} * q.out_shape.w;
    for (int i = 0; i < d.calibration.count; ++i) {
      trace_image(faulty, d.calibration.image(i), tf);
      trace_image(clean, d.calibration.image(i), tc);
      for (size_t e = 0; e < tf.acc[size_t(first)].size(); ++e) {
        change[e / size_t(pixels)] += double(tf.acc[size_t(first)][e] - tc.acc[size_t(first)][e]);
      }
    }
    REQUIRE(d.weights.bias.size() == d.qm.layers.size());
    bool any_shift = false;
    for (int o = 0; o < q.out_channels; ++o) {
      const double mean = change[size_t(o)] / double(pixels * d.calibration.count);
      const int64_t shift = int64_t{d.weights.bias[size_t(first)][size_t(o)]} - q.bias[size_t(o)];
      INFO("seed " << seed << " channel " << o << " mean change " << mean);
      CHECK(std::abs(mean + double(shift)) <= 0.5);
      any_shift = any_shift || shift != 0;
    }
    CHECK(any_shift);  // 8 % stuck cells in 4-bit words move some channel's mean
    CHECK(d.stats.mean_abs_bias_shift > 0.0);
    CHECK(d.weights.believed.empty());  // released once used
  }
}
