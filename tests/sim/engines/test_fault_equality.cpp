// Both engines give identical logits with faults, for every zoo model and every mitigation
// scheme: stuck-at cells, transient weight flips and per-image activation flips (issue 4).
// Each case draws its own (seed, rate, word width, flip mode), so the cases of one model cover
// several seeds and rates.
#include <catch2/catch.hpp>
#include <filesystem>

#include "hw_models/activation_faults.h"
#include "memory/deployment.h"
#include "sim/bias_compensation.h"
#include "sim/engines/cycle_engine.h"
#include "sim/engines/functional_engine.h"
#include "tests/support/cycle_test_util.h"
#include "workloads/onnx_import.h"

using namespace safsim;

namespace {

constexpr int kImages = 10;
constexpr int kFirstImage = 5;  // activation flips are keyed by the image's index in the split

struct FaultCase {
  MitigationScheme scheme;
  int weight_bits;
  double stuck_rate;
  StuckAtPattern pattern;
  FaultKind activation_mode;
  uint64_t seed;
  bool compensated = false;  // mitigation.ties balanced and bias_compensation mean
};

FaultsConfig faults_of(const FaultCase& f) {
  FaultsConfig c;
  c.weights.stuck_at.rate = f.stuck_rate;
  c.weights.stuck_at.pattern = f.pattern;
  c.weights.bitflip.mode = FaultKind::kRandomFlips;
  c.weights.bitflip.rate = f.stuck_rate / 10;
  BitFlipConfig& a = c.activations.bitflip;
  a.mode = f.activation_mode;
  a.rate = f.activation_mode == FaultKind::kMsbFlips ? 2e-3 : 2e-4;
  a.count = 3;  // targeted: 3 words of every image, any layer
  return c;
}

void check_faulty_zoo(const std::string& name, const FaultCase& f, bool ideal) {
  REQUIRE(std::filesystem::exists(zoo_dir() + "/" + name + ".onnx"));  // the zoo is committed
  QuantConfig qc;
  qc.weight_bits = f.weight_bits;
  const Dataset calibration =
      load_dataset(DatasetSource{"fashion-mnist"}, DatasetSplit::kTrain).slice(0, 200);
  const QuantModel qm = quantize(load_model(name), qc, calibration);
  const Dataset test =
      load_dataset(DatasetSource{"fashion-mnist"}, DatasetSplit::kTest).slice(kFirstImage, kImages);
  const FaultsConfig faults = faults_of(f);
  MitigationConfig mitigation;
  mitigation.scheme = f.scheme;
  if (f.compensated) {
    mitigation.ties = TieRule::kBalanced;
    mitigation.bias_compensation = BiasCompensation::kMean;
  }
  DeploymentStats st;
  DeployedWeights w = deploy(qm, faults, mitigation, f.seed, /*trial=*/0, &st);
  if (f.compensated) {
    compensate_biases(qm, w, calibration, 1, st);
    REQUIRE(st.max_abs_bias_shift > 0);
  }
  REQUIRE(st.defective_cells > 0);
  REQUIRE(st.weight_flips_injected > 0);
  const ActivationFaultPlan plan(qm, faults.activations.bitflip, f.seed, /*trial=*/0);
  int64_t activation_flips = 0;
  for (int i = 0; i < test.count; ++i) {
    activation_flips += static_cast<int64_t>(plan.flips(test.first_index + i).size());
  }
  REQUIRE(activation_flips > 0);

  FunctionalEngine fe(qm, w, 1);
  fe.set_activation_faults(&plan);
  const Logits functional = fe.run(test);
  const WeightLoad load = ideal ? WeightLoad::kSerial : WeightLoad::kOverlapped;
  CycleEngine engine(qm, w, test::array_config(16, 16, ideal, load), TraceConfig{}, "");
  engine.set_activation_faults(&plan);
  const Logits cycle = engine.run(test).logits;
  REQUIRE(cycle.images == kImages);
  REQUIRE(cycle.codes == functional.codes);
  // The faults reach the logits: the fault-free functional engine disagrees somewhere.
  const Logits clean = FunctionalEngine(qm, deploy_fault_free(qm), 1).run(test);
  CHECK(clean.codes != cycle.codes);
}

}  // namespace

// clang-format off
#define SAFSIM_FAULT_CASE(model, scheme, bits, rate, pattern, mode, seed, ideal)                 \
  TEST_CASE("faulty zoo " model " " #scheme " int" #bits " stuck " #rate " seed " #seed          \
            ": cycle engine equals the functional engine", "[cycle][zoo][faults]") {            \
    check_faulty_zoo(model, FaultCase{MitigationScheme::scheme, bits, rate,                     \
                                      StuckAtPattern::pattern, FaultKind::mode, seed}, ideal); \
  }
#define SAFSIM_COMPENSATED_CASE(model, scheme, bits, rate, seed)                                 \
  TEST_CASE("faulty zoo " model " " #scheme " int" #bits " stuck " #rate " balanced ties and "     \
            "compensated biases: cycle engine equals the functional engine",                     \
            "[cycle][zoo][faults][compensation]") {                                              \
    check_faulty_zoo(model, FaultCase{MitigationScheme::scheme, bits, rate,                     \
                                      StuckAtPattern::kUniform, FaultKind::kRandomFlips, seed, \
                                      true}, true);                                             \
  }
#define SAFSIM_FAULT_MODEL(model)                                                        \
  SAFSIM_FAULT_CASE(model, kNone, 8, 0.01, kUniform, kRandomFlips, 1, false)                  \
  SAFSIM_FAULT_CASE(model, kAddSub, 8, 0.02, kWordLine, kMsbFlips, 2, true)                   \
  SAFSIM_FAULT_CASE(model, kLsb, 6, 0.005, kUniform, kTargetedFlips, 3, true)                 \
  SAFSIM_FAULT_CASE(model, kC1, 8, 0.05, kBitLine, kRandomFlips, 4, true)                     \
  SAFSIM_FAULT_CASE(model, kOptimal, 4, 0.02, kUniform, kMsbFlips, 5, true)                   \
  SAFSIM_FAULT_CASE(model, kOptimalFlip, 8, 0.01, kWordLine, kTargetedFlips, 6, true)         \
  SAFSIM_FAULT_CASE(model, kSecded, 8, 0.005, kUniform, kRandomFlips, 7, true)             \
  SAFSIM_COMPENSATED_CASE(model, kLsb, 4, 0.05, 8)                                            \
  SAFSIM_COMPENSATED_CASE(model, kOptimal, 8, 0.02, 9)
// clang-format on

SAFSIM_FAULT_MODEL("lenet5")
SAFSIM_FAULT_MODEL("lenet5_sigmoid")
SAFSIM_FAULT_MODEL("lenet5_avgpool")
SAFSIM_FAULT_MODEL("cnn_s002")
SAFSIM_FAULT_MODEL("cnn_s002_archopt")
SAFSIM_FAULT_MODEL("resnet20")
