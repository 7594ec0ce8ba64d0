// Exact cycle counts of the fold schedules (docs/timing.md). Cycles are counted from 0: a fold
// whose first weight row shifts in at posedge 0 ends with its last accumulation at posedge
// 2R + C + T - 3, so it lasts 2R + C + T - 2 cycles.
#include <catch2/catch.hpp>

#include "sim/engines/cycle_engine.h"
#include "tests/support/cycle_test_util.h"
#include "tests/support/shape_models.h"

using namespace safsim;

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// docs/timing.md, serial schedule with ideal memory: sum over folds of 2R + C + T - 2.
uint64_t serial_formula(const QLayer& q, int rows, int cols) {
  const int64_t t = q.is_linear ? 1 : int64_t{q.out_shape.h} * q.out_shape.w;
  const int64_t folds = ceil_div(q.reduction, rows) * ceil_div(q.out_channels, cols);
  return static_cast<uint64_t>(folds * (2 * rows + cols + t - 2));
}

// Runs one image with serial weight loads and ideal memory; checks every array layer.
std::vector<LayerStats> run_serial_ideal(const QuantModel& qm, int rows, int cols) {
  CycleEngine engine(qm, deploy_fault_free(qm), test::array_config(rows, cols), TraceConfig{}, "");
  const CycleResult r = engine.run(test::random_images(qm.input_shape, 1, 5));
  for (size_t i = 0; i < qm.layers.size(); ++i) {
    const LayerStats& l = r.stats.layers[i];
    INFO("layer " << l.layer << " on " << rows << "x" << cols);
    REQUIRE(l.stall_nvm_cycles == 0);
    REQUIRE(l.stall_sram_cycles == 0);
    REQUIRE(l.cycles == l.compute_cycles + l.stall_pp_cycles);
    if (qm.layers[i].kind == QOpKind::kArray) {
      REQUIRE(l.compute_cycles == serial_formula(qm.layers[i], rows, cols));
    }
  }
  return r.stats.layers;
}

}  // namespace

TEST_CASE("serial fold takes 2R+C+T-2 cycles plus the post-processing tail", "[cycle][timing]") {
  // One 3x3 conv 1x6x6 -> 3x4x4: K = 9, O = 3, T = 16 on a 4x4 array: 3 row folds, 1 col fold.
  test::ModelBuilder b({1, 6, 6}, 3);
  b.conv(-1, 3, 3, 1, 0);
  const QuantModel qm = test::quantized(b.build(), 8);
  // Two images back to back: per-layer stats are summed over images.
  CycleEngine engine(qm, deploy_fault_free(qm), test::array_config(4, 4), TraceConfig{}, "");
  const CycleResult r = engine.run(test::random_images(qm.input_shape, 2, 1));
  const LayerStats& l = r.stats.layers[0];
  /* per fold: load 4 + stream 16 + skew 3 + drain 3 = 2*4 + 4 + 16 - 2 = 26; 3 folds = 78 */
  REQUIRE(l.compute_cycles == 2 * 78);
  /* post-processing tail: ceil(16 tokens x 3 cols / 16 lanes) + 4 latency = 7 */
  REQUIRE(l.stall_pp_cycles == 2 * 7);
  REQUIRE(l.cycles == 2 * 85);
  REQUIRE(l.nvm_reads == 2 * 27);  // 9 x 3 weights, loaded once per image
  REQUIRE(r.stats.total.cycles == 2 * 85);
}

TEST_CASE("overlapped schedule shifts the next fold in while the current one computes",
          "[cycle][timing]") {
  test::ModelBuilder b({1, 6, 6}, 3);
  b.conv(-1, 3, 3, 1, 0);
  const QuantModel qm = test::quantized(b.build(), 8);
  CycleEngine engine(qm, deploy_fault_free(qm),
                     test::array_config(4, 4, true, WeightLoad::kOverlapped), TraceConfig{}, "");
  const CycleResult r = engine.run(test::random_images(qm.input_shape, 1, 1));
  const LayerStats& l = r.stats.layers[0];
  /* R = C = 4, T = 16. load L_f, stream start s_f, drain end D_f = s_f + T + R + C - 2:
     f0: L = 0,                        s = L + R = 4,              D = 4 + 22 = 26
     f1: L = L0 + R = 4,               s = max(8, s0 + T = 20) = 20,  D = 42
     f2: L = max(L1 + R, D0) = 26,     s = max(30, s1 + T = 36) = 36, D = 58
     compute = 58 cycles (serial: 78); then the post-processing tail of 7 */
  REQUIRE(l.compute_cycles == 58);
  REQUIRE(l.stall_pp_cycles == 7);
  REQUIRE(l.cycles == 65);
}

TEST_CASE("lenet5 layers on 16x16 follow the serial formula", "[cycle][timing]") {
  const QuantModel qm = test::quantized(test::lenet5_shapes(1), 8);
  const std::vector<LayerStats> l = run_serial_ideal(qm, 16, 16);
  // Array layers: conv1, conv2, fc1, fc2, fc3 (pools and flatten run on the PPU).
  std::vector<uint64_t> compute;
  for (size_t i = 0; i < qm.layers.size(); ++i) {
    if (qm.layers[i].kind == QOpKind::kArray) {
      compute.push_back(l[i].compute_cycles);
    }
  }
  /* conv1 K=25  O=20  T=576: 2 x 2 folds  x (32 + 16 + 576 - 2 = 622) =  2488
     conv2 K=500 O=50  T=64: 32 x 4 folds  x (32 + 16 + 64 - 2 = 110)  = 14080
     fc1   K=800 O=120 T=1:  50 x 8 folds  x (32 + 16 + 1 - 2 = 47)    = 18800
     fc2   K=120 O=84  T=1:   8 x 6 folds  x 47                        =  2256
     fc3   K=84  O=10  T=1:   6 x 1 folds  x 47                        =   282 */
  REQUIRE(compute == std::vector<uint64_t>{2488, 14080, 18800, 2256, 282});
}

TEST_CASE("lenet5 layers on 8x8 follow the serial formula", "[cycle][timing]") {
  run_serial_ideal(test::quantized(test::lenet5_shapes(2), 8), 8, 8);
}

TEST_CASE("lenet5 layers on 32x32 follow the serial formula", "[cycle][timing]") {
  run_serial_ideal(test::quantized(test::lenet5_shapes(3), 8), 32, 32);
}

TEST_CASE("resnet20 layers on 8x8 follow the serial formula", "[cycle][timing]") {
  run_serial_ideal(test::quantized(test::resnet20_shapes(4), 8), 8, 8);
}

TEST_CASE("resnet20 layers on 16x16 follow the serial formula", "[cycle][timing]") {
  run_serial_ideal(test::quantized(test::resnet20_shapes(5), 8), 16, 16);
}

TEST_CASE("resnet20 layers on 32x32 follow the serial formula", "[cycle][timing]") {
  const QuantModel qm = test::quantized(test::resnet20_shapes(6), 8);
  const std::vector<LayerStats> l = run_serial_ideal(qm, 32, 32);
  /* first conv K=9 O=16 T=784: 1 x 1 fold x (64 + 32 + 784 - 2) = 878 */
  REQUIRE(l[0].compute_cycles == 878);
}
