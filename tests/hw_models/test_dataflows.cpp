// Output- and input-stationary beside weight-stationary (docs/timing.md, "Dataflows"):
//  - with serial folds and ideal memory, every array layer of lenet5 and resnet20 takes the
//    per-fold counts of SCALE-Sim v2's CALC mode (R x C array, W = C_in K_h K_w, T output
//    pixels, K output channels): os folds = ceil(T/R) ceil(K/C), each R + C + W - 2 cycles;
//    is folds = ceil(W/R) ceil(T/C), each 2R + C + K - 2 cycles (ws: tests/hw_models/
//    test_timing.cpp);
//  - every zoo model gives the functional engine's logits bit for bit in every dataflow, with a
//    stuck-at map (the faults are in the stored words, so each dataflow computes with the same
//    faulty weights and accuracy under stuck-at is the same in all three).
// SystemC elaborates once per process: every case builds one accelerator.
#include <catch2/catch.hpp>
#include <filesystem>

#include "memory/deployment.h"
#include "sim/engines/cycle_engine.h"
#include "sim/engines/functional_engine.h"
#include "tests/support/cycle_test_util.h"
#include "tests/support/shape_models.h"
#include "workloads/onnx_import.h"

using namespace safsim;

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// SCALE-Sim v2's per-layer compute cycles (grouped layers: each group is its own GEMM).
uint64_t scale_sim_cycles(const QLayer& q, Dataflow d, int64_t r, int64_t c) {
  const int64_t t = q.is_linear ? 1 : int64_t{q.out_shape.h} * q.out_shape.w;
  const int64_t w = q.reduction;
  const int64_t k = q.group_out();
  int64_t folds = 0, per_fold = 0;
  switch (d) {
    case Dataflow::kWs:
      folds = ceil_div(w, r) * ceil_div(k, c);
      per_fold = 2 * r + c + t - 2;
      break;
    case Dataflow::kOs:
      folds = ceil_div(t, r) * ceil_div(k, c);
      per_fold = r + c + w - 2;
      break;
    case Dataflow::kIs:
      folds = ceil_div(w, r) * ceil_div(t, c);
      per_fold = 2 * r + c + k - 2;
      break;
  }
  return static_cast<uint64_t>(q.groups * folds * per_fold);
}

void check_timing(const Model& m, Dataflow d, int rows, int cols) {
  const QuantModel qm = test::quantized(m, 8);
  AcceleratorConfig cfg = test::array_config(rows, cols);
  cfg.dataflow = d;
  CycleEngine engine(qm, deploy_fault_free(qm), cfg, TraceConfig{}, "");
  const CycleResult r = engine.run(test::random_images(qm.input_shape, 1, 5));
  int array_layers = 0;
  for (size_t i = 0; i < qm.layers.size(); ++i) {
    const LayerStats& l = r.stats.layers[i];
    INFO("layer " << l.layer << " on " << rows << "x" << cols << " " << dataflow_name(d));
    REQUIRE(l.stall_nvm_cycles == 0);
    REQUIRE(l.stall_sram_cycles == 0);
    REQUIRE(l.cycles == l.compute_cycles + l.stall_pp_cycles);
    if (qm.layers[i].kind == QOpKind::kArray) {
      REQUIRE(l.compute_cycles == scale_sim_cycles(qm.layers[i], d, rows, cols));
      ++array_layers;
    }
  }
  REQUIRE(array_layers >= 5);
}

}  // namespace

#define SAFSIM_TIMING_CASE(model, d, rows, cols)                                             \
  TEST_CASE(#model " layers on " #rows "x" #cols " " #d " take SCALE-Sim's per-fold counts", \
            "[cycle][timing][dataflow]") {                                                   \
    check_timing(test::model##_shapes(rows), Dataflow::k##d, rows, cols);                    \
  }
SAFSIM_TIMING_CASE(lenet5, Os, 8, 8)
SAFSIM_TIMING_CASE(lenet5, Os, 16, 16)
SAFSIM_TIMING_CASE(lenet5, Os, 32, 32)
SAFSIM_TIMING_CASE(lenet5, Is, 8, 8)
SAFSIM_TIMING_CASE(lenet5, Is, 16, 16)
SAFSIM_TIMING_CASE(lenet5, Is, 32, 32)
SAFSIM_TIMING_CASE(resnet20, Os, 8, 8)
SAFSIM_TIMING_CASE(resnet20, Os, 16, 16)
SAFSIM_TIMING_CASE(resnet20, Os, 32, 32)
SAFSIM_TIMING_CASE(resnet20, Is, 8, 8)
SAFSIM_TIMING_CASE(resnet20, Is, 16, 16)
SAFSIM_TIMING_CASE(resnet20, Is, 32, 32)

TEST_CASE("os fold worked example: 3x3 conv 1x6x6 -> 3x4x4 on 4x4", "[cycle][timing][dataflow]") {
  test::ModelBuilder b({1, 6, 6}, 3);
  b.conv(-1, 3, 3, 1, 0);
  const QuantModel qm = test::quantized(b.build(), 8);
  AcceleratorConfig cfg = test::array_config(4, 4);
  cfg.dataflow = Dataflow::kOs;
  CycleEngine engine(qm, deploy_fault_free(qm), cfg, TraceConfig{}, "");
  const CycleResult r = engine.run(test::random_images(qm.input_shape, 1, 1));
  const LayerStats& l = r.stats.layers[0];
  /* W = 9, T = 16, K = 3: ceil(16/4) x ceil(3/4) = 4 folds x (4 + 4 + 9 - 2 = 15) = 60;
     post-processing tail of the last tile: ceil(4 pixels x 3 channels / 16 lanes) + 4 = 5 */
  REQUIRE(l.compute_cycles == 60);
  REQUIRE(l.stall_pp_cycles == 5);
  /* every fold reads all 9 x 3 weights: 4 x 27 */
  REQUIRE(l.nvm_reads == 108);
}

TEST_CASE("is fold worked example: 3x3 conv 1x6x6 -> 3x4x4 on 4x4", "[cycle][timing][dataflow]") {
  test::ModelBuilder b({1, 6, 6}, 3);
  b.conv(-1, 3, 3, 1, 0);
  const QuantModel qm = test::quantized(b.build(), 8);
  AcceleratorConfig cfg = test::array_config(4, 4);
  cfg.dataflow = Dataflow::kIs;
  CycleEngine engine(qm, deploy_fault_free(qm), cfg, TraceConfig{}, "");
  const CycleResult r = engine.run(test::random_images(qm.input_shape, 1, 1));
  const LayerStats& l = r.stats.layers[0];
  /* ceil(9/4) x ceil(16/4) = 12 folds x (8 + 4 + 3 - 2 = 13) = 156;
     tail: ceil(4 pixels x 3 channels / 16) + 4 = 5 */
  REQUIRE(l.compute_cycles == 156);
  REQUIRE(l.stall_pp_cycles == 5);
  /* every fold reads its rows x 3 channels: 4 pixel blocks x 27 */
  REQUIRE(l.nvm_reads == 108);
}

namespace {

constexpr int kImages = 6;

// A zoo model with 3 % stuck-at cells (RRAM mix) on the cycle engine in dataflow `d` equals the
// functional engine with the same deployed words.
void check_zoo(const std::string& name, Dataflow d, int bits, int rows, int cols, bool ideal) {
  REQUIRE(std::filesystem::exists(zoo_dir() + "/" + name + ".onnx"));  // the zoo is committed
  QuantConfig qc;
  qc.weight_bits = bits;
  const Dataset calibration =
      load_dataset(DatasetSource{"fashion-mnist"}, DatasetSplit::kTrain).slice(0, 200);
  const QuantModel qm = quantize(load_model(name), qc, calibration);
  const Dataset test =
      load_dataset(DatasetSource{"fashion-mnist"}, DatasetSplit::kTest).slice(0, kImages);
  FaultsConfig faults;
  faults.weights.stuck_at.rate = 0.03;
  faults.weights.stuck_at.preset = StuckAtPreset::kRram;
  DeploymentStats st;
  const DeployedWeights w = deploy(qm, faults, MitigationConfig{}, 11, /*trial=*/0, &st);
  REQUIRE(st.defective_cells > 0);
  const Logits fe = FunctionalEngine(qm, w, 1).run(test);
  AcceleratorConfig cfg =
      test::array_config(rows, cols, ideal, ideal ? WeightLoad::kSerial : WeightLoad::kOverlapped);
  cfg.dataflow = d;
  CycleEngine engine(qm, w, cfg, TraceConfig{}, "");
  const CycleResult r = engine.run(test);
  REQUIRE(r.logits.images == kImages);
  REQUIRE(r.logits.codes == fe.codes);
}

}  // namespace

#define SAFSIM_DATAFLOW_ZOO_CASE(model, d, bits, rows, cols, ideal)          \
  TEST_CASE("zoo " model " " #d " int" #bits " stuck-at on " #rows "x" #cols \
            " equals the functional engine",                                 \
            "[cycle][zoo][dataflow]") {                                      \
    check_zoo(model, Dataflow::k##d, bits, rows, cols, ideal);               \
  }
#define SAFSIM_DATAFLOW_ZOO_MODEL(model, d)            \
  SAFSIM_DATAFLOW_ZOO_CASE(model, d, 4, 16, 16, false) \
  SAFSIM_DATAFLOW_ZOO_CASE(model, d, 8, 12, 20, true)  \
  SAFSIM_DATAFLOW_ZOO_CASE(model, d, 16, 20, 12, false)
#define SAFSIM_DATAFLOW_ZOO(model)     \
  SAFSIM_DATAFLOW_ZOO_MODEL(model, Os) \
  SAFSIM_DATAFLOW_ZOO_MODEL(model, Is)

SAFSIM_DATAFLOW_ZOO("lenet5")
SAFSIM_DATAFLOW_ZOO("lenet5_sigmoid")
SAFSIM_DATAFLOW_ZOO("lenet5_avgpool")
SAFSIM_DATAFLOW_ZOO("cnn_s002")
SAFSIM_DATAFLOW_ZOO("cnn_s002_archopt")
SAFSIM_DATAFLOW_ZOO("resnet20")
SAFSIM_DATAFLOW_ZOO("mobilenet_v2_s")
SAFSIM_DATAFLOW_ZOO("squeezenet_s")

namespace {

// Hand-built models with every op (odd strides and padding, pooling, residual adds, grouped,
// depthwise and dilated convolutions, a normalized input's pad codes) on small, odd arrays.
void check_random(const Model& m, Dataflow d, int bits, int rows, int cols, bool ideal) {
  const QuantModel qm = test::quantized(m, bits);
  const DeployedWeights w = deploy_fault_free(qm);
  const Dataset images = test::random_images(qm.input_shape, 4, 3);
  const Logits fe = FunctionalEngine(qm, w, 1).run(images);
  AcceleratorConfig cfg =
      test::array_config(rows, cols, ideal, ideal ? WeightLoad::kSerial : WeightLoad::kOverlapped);
  cfg.dataflow = d;
  CycleEngine engine(qm, w, cfg, TraceConfig{}, "");
  REQUIRE(engine.run(images).logits.codes == fe.codes);
}

}  // namespace

#define SAFSIM_DATAFLOW_RANDOM_CASE(model, d, bits, rows, cols, ideal)                         \
  TEST_CASE(#model " " #d " int" #bits " on " #rows "x" #cols " equals the functional engine", \
            "[cycle][dataflow]") {                                                             \
    check_random(test::model(17), Dataflow::k##d, bits, rows, cols, ideal);                    \
  }
SAFSIM_DATAFLOW_RANDOM_CASE(odd_shapes_model, Os, 8, 4, 5, true)
SAFSIM_DATAFLOW_RANDOM_CASE(odd_shapes_model, Os, 4, 7, 3, false)
SAFSIM_DATAFLOW_RANDOM_CASE(odd_shapes_model, Is, 8, 4, 5, true)
SAFSIM_DATAFLOW_RANDOM_CASE(odd_shapes_model, Is, 4, 7, 3, false)
SAFSIM_DATAFLOW_RANDOM_CASE(new_ops_model, Os, 8, 4, 5, true)
SAFSIM_DATAFLOW_RANDOM_CASE(new_ops_model, Os, 4, 7, 3, false)
SAFSIM_DATAFLOW_RANDOM_CASE(new_ops_model, Is, 8, 4, 5, true)
SAFSIM_DATAFLOW_RANDOM_CASE(new_ops_model, Is, 4, 7, 3, false)

namespace {

// Float formats: each dataflow accumulates in its own order (os: the whole reduction in one
// register), so logits agree within fp32 rounding and top-1 is identical.
void check_float(Dataflow d) {
  QuantConfig qc;
  qc.weight_format = WeightFormat::kFp16;
  const QuantModel qm = quantize(load_model("lenet5"), qc, Dataset{});
  const Dataset test =
      load_dataset(DatasetSource{"fashion-mnist"}, DatasetSplit::kTest).slice(0, kImages);
  const DeployedWeights w = deploy_fault_free(qm);
  const Logits fe = FunctionalEngine(qm, w, 1).run(test);
  AcceleratorConfig cfg = test::array_config(16, 12, false);
  cfg.dataflow = d;
  CycleEngine engine(qm, w, cfg, TraceConfig{}, "");
  const Logits cy = engine.run(test).logits;
  REQUIRE(cy.is_float);
  for (int i = 0; i < kImages; ++i) {
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

TEST_CASE("zoo lenet5 fp16 os matches the functional engine", "[cycle][float][dataflow]") {
  check_float(Dataflow::kOs);
}
TEST_CASE("zoo lenet5 fp16 is matches the functional engine", "[cycle][float][dataflow]") {
  check_float(Dataflow::kIs);
}
