// Real memories: stalls are simulated and reported by cause, never change the logits; event
// counts are consistent with the fold plan; configurations that cannot fit are clear errors.
#include <catch2/catch.hpp>

#include "base/errors.h"
#include "sim/engines/cycle_engine.h"
#include "tests/support/cycle_test_util.h"
#include "tests/support/shape_models.h"

using namespace safsim;

namespace {

CycleResult run_and_check_reference(const QuantModel& qm, const AcceleratorConfig& a, int images) {
  const DeployedWeights w = deploy_fault_free(qm);
  const Dataset d = test::random_images(qm.input_shape, images, 13);
  CycleEngine engine(qm, w, a, TraceConfig{}, "");
  CycleResult r = engine.run(d);
  for (int i = 0; i < images; ++i) {
    REQUIRE(test::image_codes(r.logits, i) == reference_run(qm, w, d.image(i)).back());
  }
  for (const LayerStats& l : r.stats.layers) {
    INFO("layer " << l.layer);
    REQUIRE(l.cycles == l.compute_cycles + l.stall_cycles);
    REQUIRE(l.stall_cycles == l.stall_nvm_cycles + l.stall_sram_cycles + l.stall_pp_cycles);
  }
  return r;
}

}  // namespace

TEST_CASE("a slow narrow NVM stalls the array on weight loads", "[cycle][stall]") {
  AcceleratorConfig a = test::array_config(8, 8, false);
  a.nvm.banks = 1;
  a.nvm.read_latency_cycles = 20;
  const CycleResult r = run_and_check_reference(test::quantized(test::lenet5_shapes(7), 8), a, 2);
  /* one bank at one word per cycle delivers an 8-word row every 8 cycles: loads are NVM-bound */
  REQUIRE(r.stats.total.stall_nvm_cycles > r.stats.total.compute_cycles / 2);
}

TEST_CASE("a single narrow ifmap bank stalls token streaming", "[cycle][stall]") {
  AcceleratorConfig a = test::array_config(16, 8, false);
  a.ifmap_sram.banks = 1;
  a.ifmap_sram.word_bits = 32;  // a 16-element int8 token needs 4 words from one bank
  const CycleResult r = run_and_check_reference(test::quantized(test::lenet5_shapes(8), 8), a, 1);
  REQUIRE(r.stats.total.stall_sram_cycles > 0);
  REQUIRE(r.stats.total.sram_conflict_cycles > 0);
}

TEST_CASE("nvm reads equal weight words per fold times folds and energy adds up",
          "[cycle][stats]") {
  AcceleratorConfig a = test::array_config(5, 3, false, WeightLoad::kOverlapped);
  a.ofmap_sram.capacity_kib = 0.0625;  // 64 B: 5 tokens of 3 accumulators per psum tile
  const QuantModel qm = test::quantized(test::odd_shapes_model(9), 8);
  const int images = 3;
  const CycleResult r = run_and_check_reference(qm, a, images);
  uint64_t cycles = 0;
  for (size_t i = 0; i < qm.layers.size(); ++i) {
    const QLayer& q = qm.layers[i];
    const LayerStats& l = r.stats.layers[i];
    cycles += l.cycles;
    REQUIRE(l.energy_pj == Approx(l.energy_nvm_pj + l.energy_sram_pj + l.energy_mac_pj));
    if (q.kind != QOpKind::kArray) {
      REQUIRE(l.nvm_reads == 0);
      continue;
    }
    // Every fold loads its rows_used x cols_used words; folds repeat per psum tile.
    const int64_t t = q.is_linear ? 1 : int64_t{q.out_shape.h} * q.out_shape.w;
    REQUIRE(l.token_tiles == (t + 4) / 5);
    REQUIRE(l.nvm_reads == uint64_t(images) * l.token_tiles * q.reduction * q.out_channels);
    REQUIRE(l.macs == uint64_t(images) * q.macs_per_image());
    REQUIRE(l.utilization == Approx(double(l.macs) / (double(l.cycles) * 5 * 3)));
  }
  REQUIRE(r.stats.total.cycles == cycles);
}

TEST_CASE("an ifmap buffer too small for a layer is a config error naming the layer",
          "[cycle][errors]") {
  AcceleratorConfig a = test::array_config(16, 16);
  a.ifmap_sram.capacity_kib = 4;  // conv1's output is 20 x 24 x 24 x 1 B = 11.25 KiB
  const QuantModel qm = test::quantized(test::lenet5_shapes(1), 8);
  REQUIRE_THROWS_WITH(CycleEngine(qm, deploy_fault_free(qm), a, TraceConfig{}, ""),
                      Catch::Contains("Conv_0") && Catch::Contains("11.25 KiB") &&
                          Catch::Contains("accelerator.ifmap_sram.capacity_kib"));
}
