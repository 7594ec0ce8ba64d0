// Every zoo model on the cycle engine gives the functional engine's logits bit for bit
// (integer formats), on a square and a non-square array, with real and ideal memories.
#include <catch2/catch.hpp>
#include <filesystem>

#include "sim/engines/cycle_engine.h"
#include "sim/engines/functional_engine.h"
#include "tests/support/cycle_test_util.h"
#include "workloads/onnx_import.h"

using namespace safsim;

namespace {

constexpr int kImages = 20;

// Loads and quantizes a zoo model. The zoo is committed, so a missing model fails the test.
bool zoo_model(const std::string& name, const QuantConfig& qc, QuantModel& qm, Dataset& test) {
  REQUIRE(std::filesystem::exists(zoo_dir() + "/" + name + ".onnx"));
  const Model m = load_model(name);
  const Dataset calibration =
      qc.weight_format >= WeightFormat::kFp32
          ? Dataset{}
          : load_dataset(DatasetSource{"fashion-mnist"}, DatasetSplit::kTrain).slice(0, 200);
  qm = quantize(m, qc, calibration);
  test = load_dataset(DatasetSource{"fashion-mnist"}, DatasetSplit::kTest).slice(0, kImages);
  return true;
}

void check_zoo_int(const std::string& name, int bits, int rows, int cols, bool ideal) {
  QuantConfig qc;
  qc.weight_bits = bits;
  QuantModel qm;
  Dataset test;
  if (!zoo_model(name, qc, qm, test)) {
    return;
  }
  const DeployedWeights w = deploy_fault_free(qm);
  const Logits fe = FunctionalEngine(qm, w, 1).run(test);
  const WeightLoad load = ideal ? WeightLoad::kSerial : WeightLoad::kOverlapped;
  CycleEngine engine(qm, w, test::array_config(rows, cols, ideal, load), TraceConfig{}, "");
  const CycleResult r = engine.run(test);
  REQUIRE(r.logits.images == kImages);
  REQUIRE(r.logits.codes == fe.codes);
}

}  // namespace

#define SAFSIM_ZOO_CASE(model, bits, rows, cols, ideal)                                       \
  TEST_CASE("zoo " model " int" #bits " on " #rows "x" #cols " equals the functional engine", \
            "[cycle][zoo]") {                                                                 \
    check_zoo_int(model, bits, rows, cols, ideal);                                            \
  }
#define SAFSIM_ZOO_MODEL(model)             \
  SAFSIM_ZOO_CASE(model, 4, 16, 16, false)  \
  SAFSIM_ZOO_CASE(model, 8, 16, 16, false)  \
  SAFSIM_ZOO_CASE(model, 16, 16, 16, false) \
  SAFSIM_ZOO_CASE(model, 4, 12, 20, true)   \
  SAFSIM_ZOO_CASE(model, 8, 12, 20, true)   \
  SAFSIM_ZOO_CASE(model, 16, 12, 20, true)

SAFSIM_ZOO_MODEL("lenet5")
SAFSIM_ZOO_MODEL("lenet5_sigmoid")
SAFSIM_ZOO_MODEL("lenet5_avgpool")
SAFSIM_ZOO_MODEL("cnn_s002")
SAFSIM_ZOO_MODEL("cnn_s002_archopt")
SAFSIM_ZOO_MODEL("resnet20")
SAFSIM_ZOO_CASE("mobilenet_v2_s", 8, 16, 16, false)
SAFSIM_ZOO_CASE("mobilenet_v2_s", 4, 12, 20, true)
SAFSIM_ZOO_CASE("mobilenet_v2_s", 16, 12, 20, true)
SAFSIM_ZOO_CASE("squeezenet_s", 8, 16, 16, false)
SAFSIM_ZOO_CASE("squeezenet_s", 4, 12, 20, true)
SAFSIM_ZOO_CASE("squeezenet_s", 16, 12, 20, true)

namespace {

// The models exported from PyTorch as users do (tests/inputs/exports, random seeded weights):
// at int8 the cycle engine gives the functional engine's codes on 5 test images.
void check_export_int8(const std::string& name) {
  const std::string path =
      std::string(SAFSIM_SOURCE_DIR) + "/tests/inputs/exports/" + name + ".onnx";
  REQUIRE(std::filesystem::exists(path));
  QuantConfig qc;
  const QuantModel qm =
      quantize(load_model(path), qc,
               load_dataset(DatasetSource{"fashion-mnist"}, DatasetSplit::kTrain).slice(0, 100));
  const Dataset test =
      load_dataset(DatasetSource{"fashion-mnist"}, DatasetSplit::kTest).slice(0, 5);
  const DeployedWeights w = deploy_fault_free(qm);
  const Logits fe = FunctionalEngine(qm, w, 1).run(test);
  CycleEngine engine(qm, w, test::array_config(16, 16, false, WeightLoad::kOverlapped),
                     TraceConfig{}, "");
  REQUIRE(engine.run(test).logits.codes == fe.codes);
}

}  // namespace

#define SAFSIM_EXPORT_CASE(model)                                                             \
  TEST_CASE("PyTorch export " model " int8 on the cycle engine equals the functional engine", \
            "[cycle][exports]") {                                                             \
    check_export_int8(model);                                                                 \
  }
SAFSIM_EXPORT_CASE("tutorial_view")
SAFSIM_EXPORT_CASE("tutorial_view_opset17")
SAFSIM_EXPORT_CASE("tutorial_flatten")
SAFSIM_EXPORT_CASE("normalized_input")
SAFSIM_EXPORT_CASE("inception_concat")
SAFSIM_EXPORT_CASE("head_activations")
SAFSIM_EXPORT_CASE("squeeze_excite")

namespace {

// Float formats: the array accumulates in a different order than the GEMM, so logits agree
// within 1e-4 of the image's largest logit (fp32 rounding) and top-1 is identical.
void check_zoo_float(const std::string& name, WeightFormat f) {
  QuantConfig qc;
  qc.weight_format = f;
  QuantModel qm;
  Dataset test;
  if (!zoo_model(name, qc, qm, test)) {
    return;
  }
  const DeployedWeights w = deploy_fault_free(qm);
  const Logits fe = FunctionalEngine(qm, w, 1).run(test);
  CycleEngine engine(qm, w, test::array_config(16, 12, false), TraceConfig{}, "");
  const Logits cy = engine.run(test).logits;
  REQUIRE(cy.is_float);
  for (int i = 0; i < kImages; ++i) {
    INFO("image " << i);
    REQUIRE(cy.top1(i) == fe.top1(i));
    float largest = 0.0f;
    for (int c = 0; c < fe.classes; ++c) {
      largest = std::max(largest, std::fabs(fe.values[size_t(i) * fe.classes + c]));
    }
    for (int c = 0; c < fe.classes; ++c) {
      const size_t k = size_t(i) * fe.classes + c;
      REQUIRE(std::fabs(cy.values[k] - fe.values[k]) <= 1e-4f * std::max(1.0f, largest));
    }
  }
}

}  // namespace

TEST_CASE("zoo lenet5 fp32 on the cycle engine matches the functional engine", "[cycle][float]") {
  check_zoo_float("lenet5", WeightFormat::kFp32);
}
TEST_CASE("zoo lenet5 fp16 on the cycle engine matches the functional engine", "[cycle][float]") {
  check_zoo_float("lenet5", WeightFormat::kFp16);
}
TEST_CASE("zoo lenet5_sigmoid bf16 on the cycle engine matches the functional engine",
          "[cycle][float]") {
  check_zoo_float("lenet5_sigmoid", WeightFormat::kBf16);
}
TEST_CASE("zoo resnet20 fp16 on the cycle engine matches the functional engine", "[cycle][float]") {
  check_zoo_float("resnet20", WeightFormat::kFp16);
}
SAFSIM_EXPORT_CASE("shufflenet_v2_x0_5")
