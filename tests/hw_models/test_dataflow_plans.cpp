// Each dataflow's planner (hw_models/dataflow/*_plan.cpp): folds, psum tiles and buffer fit
// checks, without simulating (docs/timing.md, "Dataflows").
#include <catch2/catch.hpp>

#include "base/errors.h"
#include "hw_models/layer_plan.h"
#include "sim/quantization/quantize.h"
#include "tests/support/random_model.h"

using namespace safsim;

namespace {

// One 3x3 conv 4x10x10 -> 40x8x8: W = 36, T = 64, K = 40.
QuantModel conv_model() {
  test::ModelBuilder b({4, 10, 10}, 3);
  b.conv(-1, 40, 3, 1, 0);
  QuantConfig qc;
  const Model m = b.build();
  return quantize(m, qc, test::random_images(m.input_shape, 8, 1));
}

AcceleratorConfig config(Dataflow d, int rows, int cols, double ofmap_kib) {
  AcceleratorConfig a;
  a.dataflow = d;
  a.array.rows = rows;
  a.array.cols = cols;
  a.ofmap_sram.capacity_kib = ofmap_kib;
  return a;
}

}  // namespace

TEST_CASE("os: one fold per R x C tile streams the whole reduction", "[plan][dataflow]") {
  const QuantModel qm = conv_model();
  const LayerPlan p = plan_layer(qm, 0, config(Dataflow::kOs, 16, 16, 64));
  REQUIRE(p.tiles.size() == 4 * 3);  // ceil(64 / 16) pixel blocks x ceil(40 / 16) channel blocks
  REQUIRE(p.folds.size() == p.tiles.size());
  for (const FoldPlan& f : p.folds) {
    REQUIRE(f.steps == 36);
    REQUIRE(f.stationary_rows == 0);
    REQUIRE(f.first_row_fold);
    REQUIRE(f.last_row_fold);
  }
  REQUIRE(p.tiles.back().channels == 40 - 32);
  REQUIRE(p.psum_entries == 16 * 16);
}

TEST_CASE("is: channel tiles follow the psum half, folds the reduction", "[plan][dataflow]") {
  const QuantModel qm = conv_model();
  // 64 KiB holds all 40 channels x 16 pixels: 4 pixel blocks x 3 row folds.
  const LayerPlan all = plan_layer(qm, 0, config(Dataflow::kIs, 16, 16, 64));
  REQUIRE(all.tiles.size() == 4);
  REQUIRE(all.folds.size() == 4 * 3);
  REQUIRE(all.folds[0].steps == 40);
  REQUIRE(all.folds[2].rows_used == 36 - 32);
  // 1 KiB holds 256 accumulators = 16 channels of 16 pixels: 3 channel tiles (16, 16, 8).
  const LayerPlan split = plan_layer(qm, 0, config(Dataflow::kIs, 16, 16, 1));
  REQUIRE(split.token_tiles == 3);
  REQUIRE(split.tiles.size() == 4 * 3);
  REQUIRE(split.tiles[2].channels == 8);
  REQUIRE(split.folds.size() == 4 * 3 * 3);
  REQUIRE(split.psum_entries == 16 * 16);
  // psum entry of pixel j, channel c: c * C + j.
  REQUIRE(split.psum_position(3 * 16 + 5) == std::pair<int64_t, int64_t>{5, 3});
}

TEST_CASE("ws: pixel tiles follow the psum half", "[plan][dataflow]") {
  const QuantModel qm = conv_model();
  const LayerPlan p = plan_layer(qm, 0, config(Dataflow::kWs, 16, 16, 1));
  REQUIRE(p.token_tiles == 4);  // 256 accumulators = 16 pixels of 16 channels
  REQUIRE(p.folds.size() == 4 * 3 * 3);
  REQUIRE(p.psum_position(3 * 16 + 5) == std::pair<int64_t, int64_t>{3, 5});
}

TEST_CASE("os refuses an ofmap half smaller than one R x C tile, naming the size",
          "[plan][dataflow]") {
  const QuantModel qm = conv_model();
  // 32 x 32 x 4 B = 4 KiB of accumulators do not fit 2 KiB.
  REQUIRE_THROWS_WITH(plan_layer(qm, 0, config(Dataflow::kOs, 32, 32, 2)),
                      Catch::Contains("one psum tile (array rows x cols x 4 B) needs 4.00 KiB") &&
                          Catch::Contains("accelerator.ofmap_sram.capacity_kib is 2"));
  REQUIRE_NOTHROW(plan_layer(qm, 0, config(Dataflow::kWs, 32, 32, 2)));
}
