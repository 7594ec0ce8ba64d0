// The backward pass against central finite differences of the loss, on float models (fp32
// weights: the loss is smooth in the weights, so differences are meaningful).
#include <catch2/catch.hpp>
#include <cmath>

#include "base/random_stream.h"
#include "memory/deployed_weights.h"
#include "sim/engines/backward.h"
#include "sim/engines/functional_engine.h"
#include "sim/quantization/quantize.h"
#include "tests/support/random_model.h"

using namespace safsim;

namespace {

QuantModel float_model(const Model& m) {
  QuantConfig qc;
  qc.weight_format = WeightFormat::kFp32;
  return quantize(m, qc, Dataset());
}

double loss_of(const QuantModel& qm, const DeployedWeights& w, const Dataset& one, int label) {
  const Logits out = FunctionalEngine(qm, w, 1).run(one);
  std::vector<double> z(out.values.begin(), out.values.end());
  return softmax_cross_entropy(z, label, nullptr);
}

// Compares dL/dw with (L(w + h) - L(w - h)) / 2h for `per_layer` weights of every array layer.
// Returns the share of the compared weights that agree within 3e-3 + 3% (a few may straddle a
// ReLU or max-pool kink at step h).
double agreement_with_differences(const Model& m, unsigned seed, int per_layer) {
  const QuantModel qm = float_model(m);
  DeployedWeights w = deploy_fault_free(qm);
  const Dataset one = test::random_images(m.input_shape, 1, seed);
  const int label = one.labels[0];
  const FunctionalEngine fe(qm, w, 1);
  const BackwardPass bp(qm, w, fe);
  const WeightGradient g = bp.weight_gradient(one.image(0), label);
  const RandomStream pick(seed, 0, "test_pick");
  const float h = 1e-3f;
  int compared = 0, agreed = 0;
  for (size_t l = 0; l < qm.layers.size(); ++l) {
    if (qm.layers[l].kind != QOpKind::kArray) {
      continue;
    }
    REQUIRE(g[l].size() == w.stored[l].size());
    for (int s = 0; s < per_layer; ++s) {
      const size_t i = size_t(pick.substream(l).u64_at(uint64_t(s)) % w.stored[l].size());
      const uint32_t saved = w.stored[l][i];
      const float v = w.read_path.format.to_float(saved);
      w.stored[l][i] = w.read_path.format.from_float(v + h);
      const double up = loss_of(qm, w, one, label);
      w.stored[l][i] = w.read_path.format.from_float(v - h);
      const double down = loss_of(qm, w, one, label);
      w.stored[l][i] = saved;
      const double fd = (up - down) / (2.0 * double(h));
      ++compared;
      agreed += std::abs(fd - double(g[l][i])) <= 3e-3 + 0.03 * std::abs(fd);
    }
  }
  return double(agreed) / compared;
}

}  // namespace

TEST_CASE("backward pass matches finite differences on every supported layer kind", "[backward]") {
  // Conv (strided, padded), ReLU, residual add, average pooling with and without counted
  // padding, max pooling, flatten, linear; then Sigmoid and global pooling.
  CHECK(agreement_with_differences(test::odd_shapes_model(3), 3, 25) >= 0.95);
  CHECK(agreement_with_differences(test::odd_shapes_model(4, /*sigmoid=*/true), 4, 25) >= 0.95);
  CHECK(agreement_with_differences(test::conv_pool_model(5), 5, 25) >= 0.95);
  test::ModelBuilder b({2, 6, 6}, 6);
  int x = b.conv(-1, 4, 3, 1, 1);
  x = b.act(x, LayerKind::kSigmoid);
  x = b.global_pool(x);
  x = b.flatten(x);
  b.conv(x, 10, 1, 1, 0, true);
  CHECK(agreement_with_differences(b.build(), 6, 30) == 1.0);
}

TEST_CASE("backward pass matches finite differences on grouped convolutions and the new ops",
          "[backward][ops]") {
  CHECK(agreement_with_differences(test::new_ops_model(7), 7, 25) >= 0.95);
}

TEST_CASE("softmax cross-entropy gradient is softmax minus the one-hot label", "[backward]") {
  std::vector<double> grad;
  const double loss = softmax_cross_entropy({1.0, 2.0, 3.0}, 0, &grad);
  const double sum = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  CHECK(loss == Approx(std::log(sum) - 1.0));
  CHECK(grad[0] == Approx(std::exp(1.0) / sum - 1.0));
  CHECK(grad[2] == Approx(std::exp(3.0) / sum));
}

TEST_CASE("backward pass on an integer model uses the engine's codes (straight-through)",
          "[backward]") {
  // With 12-bit weights and activations the quantized network is close to the float one, so
  // its straight-through gradient is close to the float model's exact gradient (12 bits: no
  // 32-bit accumulator can wrap in this model).
  const Model m = test::conv_pool_model(8);
  const Dataset one = test::random_images(m.input_shape, 1, 8);
  QuantConfig qc;
  qc.weight_bits = 12;
  qc.activation_bits = 12;
  const QuantModel qi = quantize(m, qc, test::random_images(m.input_shape, 50, 9));
  const QuantModel qf = float_model(m);
  const DeployedWeights wi = deploy_fault_free(qi), wf = deploy_fault_free(qf);
  const FunctionalEngine fi(qi, wi, 1), ff(qf, wf, 1);
  const WeightGradient gi = BackwardPass(qi, wi, fi).weight_gradient(one.image(0), 3);
  const WeightGradient gf = BackwardPass(qf, wf, ff).weight_gradient(one.image(0), 3);
  for (size_t l = 0; l < gi.size(); ++l) {
    double norm = 0.0, diff = 0.0;
    for (size_t i = 0; i < gi[l].size(); ++i) {
      norm += double(gf[l][i]) * gf[l][i];
      diff += double(gi[l][i] - gf[l][i]) * (gi[l][i] - gf[l][i]);
    }
    INFO("layer " << qi.layers[l].name);
    CHECK(std::sqrt(diff) <= 0.02 * std::sqrt(norm) + 1e-6);
  }
}
