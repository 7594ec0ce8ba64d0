// The faults.* and mitigation.* config keys: parsing, presets, errors.
#include <catch2/catch.hpp>

#include "base/errors.h"
#include "memory/fault_model.h"
#include "sim/config.h"

namespace safsim {

TEST_CASE("faults and mitigation keys are read", "[faults]") {
  const Config c = parse_config(R"(
faults:
  weights:
    stuck_at: {rate: 0.01, preset: pcm, pattern: word_line, cluster_probability: 0.3, seed: 9}
    bitflip: {mode: targeted, count: 3, layer: conv1, bit: 7}
  activations:
    bitflip: {mode: random, rate: 1.0e-5, layer: 2}
mitigation: {scheme: optimal_flip, defect_map: march, decoder_latency_cycles: 1}
)",
                                "test.yaml");
  const StuckAtConfig& sa = c.faults.weights.stuck_at;
  CHECK(sa.rate == 0.01);
  CHECK(sa.pattern == StuckAtPattern::kWordLine);
  CHECK(stuck_at_spec(sa).sa1_fraction == 0.5);
  CHECK(stuck_at_spec(sa).cluster_probability == 0.3);
  CHECK(sa.seed == 9);
  CHECK(c.faults.weights.bitflip.mode == FaultKind::kTargetedFlips);
  CHECK(c.faults.weights.bitflip.layer == "conv1");
  CHECK(c.faults.activations.bitflip.layer == "2");
  CHECK(c.mitigation.scheme == MitigationScheme::kOptimalFlip);
  CHECK(c.mitigation.defect_map == DefectMapSource::kMarch);
  CHECK(parse_config(dump_config(c), "dump").mitigation.scheme == c.mitigation.scheme);
}

TEST_CASE("fault config errors name the key and the allowed values", "[faults]") {
  CHECK_THROWS_WITH(parse_config("mitigation: {scheme: c2}", "t.yaml"), Catch::Contains("c1"));
  CHECK_THROWS_AS(parse_config("faults: {weights: {stuck_at: {rate: 2}}}", "t.yaml"), ConfigError);
  CHECK_THROWS_AS(parse_config("faults: {weights: {bitflip: {mode: msbb}}}", "t.yaml"),
                  ConfigError);
}

}  // namespace safsim
