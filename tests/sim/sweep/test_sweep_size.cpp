// A sweep's size before it runs: the images each point's trials run (the test split from
// first_image on, cut to workload.images), summed over trials, and the refusal above the limit.
#include <catch2/catch.hpp>
#include <string>

#include "base/errors.h"
#include "sim/sweep/plan.h"
#include "sim/sweep/size.h"
#include "sim/sweep/spec.h"

using namespace safsim;

namespace {

SweepPlan plan_text(const std::string& yaml) { return plan_sweep(parse_sweep(yaml, "s.yaml")); }

}  // namespace

TEST_CASE("a sweep's trial-images count the images each point runs", "[sweep]") {
  // Synthetic test split of 50 images: 0 = from first_image to its end; 60 is cut to 50 - 45.
  const SweepPlan p = plan_text(R"(
config: {workload: {dataset: synthetic, synthetic: {images: 50}}}
axes:
  - points:
      - {workload.images: 0}
      - {workload.images: 0, workload.first_image: 10}
      - {workload.images: 7}
      - {workload.images: 60, workload.first_image: 45}
repeat: 3
)");
  const SweepSize s = sweep_size(p);
  CHECK(s.trials == 12);
  CHECK(s.trial_images == 3 * (50 + 40 + 7 + 5));
  CHECK(s.min_images == 5);
  CHECK(s.max_images == 50);
  CHECK(describe_size(s) == "12 trials of 5 to 50 images, 306 trial-images");
  CHECK_NOTHROW(check_sweep_size(p));
}

TEST_CASE("a sweep above the trial-image limit is refused with its size", "[sweep]") {
  // 11 x 1000 trials x 10,000 images: 110,000,000 trial-images.
  const SweepPlan big = plan_text(R"(
name: big
config: {workload: {dataset: synthetic, synthetic: {images: 10000}}}
axes:
  - {key: faults.weights.stuck_at.rate, values: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]}
repeat: 1000
)");
  REQUIRE(sweep_size(big).trial_images == 110000000);
  REQUIRE_THROWS_MATCHES(
      check_sweep_size(big), UserError,
      Catch::Matchers::Message(
          "sweep big has 11000 trials of 10000 images, 110000000 trial-images, more than the "
          "100000000 a sweep runs without confirmation (docs/sweeps.md); check its axes and "
          "repeat: (`safsim sweep s.yaml --dry-run` lists the points), then pass --yes to "
          "start it"));
  // Exactly at the limit is accepted.
  const SweepPlan edge = plan_text(R"(
config: {workload: {dataset: synthetic, synthetic: {images: 10000}}}
axes:
  - {key: faults.weights.stuck_at.rate, values: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]}
repeat: 1000
)");
  REQUIRE(sweep_size(edge).trial_images == kConfirmTrialImages);
  CHECK_NOTHROW(check_sweep_size(edge));
}
