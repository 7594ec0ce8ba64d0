// The cycle engine against the naive reference on hand-built models: bit for bit.
#include <catch2/catch.hpp>

#include "sim/engines/cycle_engine.h"
#include "tests/support/cycle_test_util.h"
#include "tests/support/shape_models.h"

using namespace safsim;

namespace {

void require_reference(const QuantModel& qm, const AcceleratorConfig& a, int images) {
  const DeployedWeights w = deploy_fault_free(qm);
  const Dataset d = test::random_images(qm.input_shape, images, 11);
  CycleEngine engine(qm, w, a, TraceConfig{}, "");
  const CycleResult r = engine.run(d);
  REQUIRE(r.logits.images == images);
  for (int i = 0; i < images; ++i) {
    INFO("image " << i);
    REQUIRE(test::image_codes(r.logits, i) == reference_run(qm, w, d.image(i)).back());
  }
}

}  // namespace

TEST_CASE("cycle engine equals the reference on odd shapes (8x8 ideal memory serial)",
          "[cycle][exact]") {
  require_reference(test::quantized(test::odd_shapes_model(1), 8), test::array_config(8, 8), 4);
}

TEST_CASE("cycle engine equals the reference on a 3x5 array with real memories overlapped",
          "[cycle][exact]") {
  require_reference(test::quantized(test::odd_shapes_model(2), 4),
                    test::array_config(3, 5, false, WeightLoad::kOverlapped), 3);
}

TEST_CASE("cycle engine equals the reference with 16-bit weights and activations",
          "[cycle][exact]") {
  require_reference(
      test::quantized(test::odd_shapes_model(3), 16, WeightFormat::kTwosComplement, 16),
      test::array_config(7, 4, false), 3);
}

TEST_CASE(
    "cycle engine equals the reference with sigmoid and offset-binary weights and a tiny psum "
    "buffer",
    "[cycle][exact]") {
  AcceleratorConfig a = test::array_config(4, 4, false, WeightLoad::kOverlapped);
  a.ofmap_sram.capacity_kib = 0.0625;  // 64 B = 4 psum rows of 4 columns: many token tiles
  require_reference(test::quantized(test::conv_pool_model(4), 6, WeightFormat::kOffsetBinary), a,
                    3);
}

TEST_CASE("cycle engine equals the reference on resnet20 shapes on a 12x20 array",
          "[cycle][exact]") {
  require_reference(test::quantized(test::resnet20_shapes(8), 8),
                    test::array_config(12, 20, false, WeightLoad::kOverlapped), 2);
}

TEST_CASE(
    "cycle engine equals the reference on grouped, depthwise and dilated convolutions and "
    "the post-processing ops (5x3 array, real memories)",
    "[cycle][exact][ops]") {
  require_reference(test::quantized(test::new_ops_model(31), 8),
                    test::array_config(5, 3, false, WeightLoad::kOverlapped), 3);
}

TEST_CASE("cycle engine equals the reference on the new ops with 16-bit codes on an 8x8 array",
          "[cycle][exact][ops]") {
  require_reference(test::quantized(test::new_ops_model(32), 16, WeightFormat::kTwosComplement, 16),
                    test::array_config(8, 8), 2);
}
