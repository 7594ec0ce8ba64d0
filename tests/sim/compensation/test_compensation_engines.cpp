// A deployment with balanced ties and compensated biases runs bit-exact on both engines (one
// cycle engine per case: SystemC elaborates once per process).
#include <catch2/catch.hpp>

#include "memory/deployment.h"
#include "sim/bias_compensation.h"
#include "sim/engines/cycle_engine.h"
#include "sim/engines/functional_engine.h"
#include "sim/quantization/quantize.h"
#include "tests/support/cycle_test_util.h"
#include "tests/support/random_model.h"

using namespace safsim;

namespace {

void check_engines(MitigationScheme scheme, TieRule ties, uint64_t seed) {
  const Model m = test::conv_pool_model(unsigned(seed));
  const Dataset calibration = test::random_images(m.input_shape, 40, unsigned(seed) + 7);
  QuantConfig qc;
  qc.weight_bits = 4;
  const QuantModel qm = quantize(m, qc, calibration);
  FaultsConfig f;
  f.weights.stuck_at.rate = 0.08;
  MitigationConfig mit;
  mit.scheme = scheme;
  mit.ties = ties;
  mit.bias_compensation = BiasCompensation::kMean;
  DeploymentStats st;
  DeployedWeights w = deploy(qm, f, mit, seed, /*trial=*/0, &st);
  compensate_biases(qm, w, calibration, 1, st);
  const Dataset test = test::random_images(qm.input_shape, 4, 99);
  const Logits functional = FunctionalEngine(qm, w, 1).run(test);
  CycleEngine engine(qm, w, test::array_config(8, 8, true, WeightLoad::kSerial), TraceConfig{}, "");
  CHECK(engine.run(test).logits.codes == functional.codes);
  // The biases reach the logits: without them the functional engine disagrees.
  DeployedWeights plain = w;
  plain.bias.clear();
  CHECK(FunctionalEngine(qm, plain, 1).run(test).codes != functional.codes);
}

}  // namespace

TEST_CASE("c1 with literal ties and compensated biases: cycle engine equals functional engine",
          "[compensation][cycle]") {
  check_engines(MitigationScheme::kC1, TieRule::kLiteral, 11);
}

TEST_CASE("lsb with balanced ties and compensated biases: cycle engine equals functional engine",
          "[compensation][cycle]") {
  check_engines(MitigationScheme::kLsb, TieRule::kBalanced, 12);
}
