// Loading a test set into the SelfTestController's buffer: gathering its images and the checks
// that tie it to the deployed model.
#include <catch2/catch.hpp>

#include "base/errors.h"
#include "sim/engines/functional_engine.h"
#include "sim/quantization/quantize.h"
#include "sim/selection/selftest_setup.h"
#include "tests/support/random_model.h"

using namespace safsim;
using Catch::Matchers::Contains;

namespace {

QuantModel small_model() {
  test::ModelBuilder b({1, 6, 6}, 9);
  b.conv(b.flatten(b.conv(-1, 2, 3, 1, 0)), 10, 1, 1, 0, true);
  return quantize(b.build(), QuantConfig{}, test::random_images({1, 6, 6}, 20, 1));
}

}  // namespace

TEST_CASE("an indexed test set holds the functional engine's results of its images", "[selftest]") {
  const QuantModel qm = small_model();
  const DeployedWeights w = deploy_fault_free(qm);
  const Dataset pool = test::random_images({1, 6, 6}, 8, 2);
  const TestSet t = indexed_test_set(qm, w, pool, {6, 1, 3});
  REQUIRE(t.model_hash == deployed_model_hash(qm, w));
  const Dataset images = test_set_images(t, pool, "pool");
  REQUIRE(images.count == 3);
  REQUIRE(std::equal(images.image(0), images.image(0) + 36, pool.image(6)));
  const Logits out = FunctionalEngine(qm, w, 1).run(images);
  REQUIRE_FALSE(judge_self_test(t, out, {1, 0.0}).fault_detected);
  REQUIRE(judge_self_test(t, out, {1, 0.0}).max_logit_distance == 0.0);
  REQUIRE(t.images[0].index == 6);
  REQUIRE(t.images[2].golden_top1 == out.top1(2));
}

TEST_CASE("a test image outside the dataset is a user error naming the file", "[selftest]") {
  TestSet t;
  TestImage im;
  im.index = 8;
  t.images.push_back(im);
  const Dataset pool = test::random_images({1, 6, 6}, 8, 2);
  REQUIRE_THROWS_AS(test_set_images(t, pool, "ts.json"), UserError);
  REQUIRE_THROWS_WITH(test_set_images(t, pool, "ts.json"),
                      Contains("ts.json") && Contains("index 8") && Contains("8 test images"));
}
