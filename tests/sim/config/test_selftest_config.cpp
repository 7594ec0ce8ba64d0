// The selftest: config section: its keys, ranges and cross-checks.
#include <catch2/catch.hpp>

#include "base/errors.h"
#include "sim/config.h"

using namespace safsim;
using Catch::Matchers::Contains;

TEST_CASE("selftest keys parse with their units", "[config][selftest]") {
  const Config c = parse_config(
      "selftest: {enabled: true, testset: t.json, period: 5000, period_unit: cycles,\n"
      "           min_mismatches: 2, logit_threshold: 0.5,\n"
      "           lifetime: {hours: 10, defect_growth: exponential, heal: true}}\n",
      "s.yaml");
  REQUIRE(c.selftest.enabled);
  REQUIRE(c.selftest.period == 5000);
  REQUIRE(c.selftest.period_unit == PeriodUnit::kCycles);
  REQUIRE(c.selftest.min_mismatches == 2);
  REQUIRE(c.selftest.logit_threshold == 0.5);
  REQUIRE(c.selftest.lifetime.defect_growth == DefectGrowth::kExponential);
  REQUIRE(c.selftest.lifetime.heal);
}

TEST_CASE("selftest config errors name the key and what is allowed", "[config][selftest]") {
  REQUIRE_THROWS_WITH(parse_config("selftest: {enabled: true}\n", "s.yaml"),
                      Contains("selftest.testset is empty"));
  REQUIRE_THROWS_WITH(parse_config("selftest: {period_unit: seconds}\n", "s.yaml"),
                      Contains("inferences") && Contains("cycles"));
  REQUIRE_THROWS_WITH(parse_config("selftest: {min_mismatches: 0}\n", "s.yaml"),
                      Contains("selftest.min_mismatches"));
  REQUIRE_THROWS_WITH(parse_config("selftest: {lifetime: {defect_growth: linear}}\n", "s.yaml"),
                      Contains("power"));
  REQUIRE_THROWS_WITH(parse_config("selftest: {lifetime: {heals: true}}\n", "s.yaml"),
                      Contains("heals"));
}
