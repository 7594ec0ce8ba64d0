// Planning keeps each axis value once and puts points together on demand: the points, their
// configs, keys, the resolved sweep and its fingerprint must be what building every point from
// YAML gave, the first bad point's error must still win, and 10^6 points must plan in seconds.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "base/errors.h"
#include "base/random_stream.h"
#include "sim/sweep/plan.h"
#include "sim/sweep/spec.h"

using namespace safsim;

namespace {

SweepPlan plan_text(const std::string& yaml) { return plan_sweep(parse_sweep(yaml, "s.yaml")); }

std::string plan_error(const std::string& yaml) {
  try {
    plan_text(yaml);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

// Quoted strings, commas and colons in values, lists of strings and numbers, keys that one
// explicit point sets and another leaves at the base value.
const char* kMixed = R"(
axes:
  - {key: faults.weights.stuck_at.rate, values: [0, 1e-3]}
  - zip:
      - {key: quant.weight_bits, values: [4, 16]}
      - {key: accelerator.array.rows, values: [8, 32]}
  - points:
      - {mitigation.scheme: secded, mitigation.secded_group_words: 4}
      - {faults.weights.bitflip.layer: "", analysis.ber_rates: ["1e-5", "a b", "x,y", "q\"z"]}
      - {workload.normalize.mean: [0.5, 0.25], faults.weights.bitflip.layer: "conv 1: \"x\""}
)";

std::vector<std::string> lines_after(const std::string& text, const std::string& marker) {
  std::vector<std::string> lines;
  size_t begin = text.find(marker);
  REQUIRE(begin != std::string::npos);
  while (begin < text.size()) {
    const size_t end = text.find('\n', begin);
    lines.push_back(text.substr(begin, end - begin));
    begin = end == std::string::npos ? text.size() : end + 1;
  }
  return lines;
}

}  // namespace

TEST_CASE("the resolved sweep lists each point as the emitter writes it, and is fingerprinted",
          "[sweep]") {
  const SweepPlan p = plan_text(kMixed);
  const std::string resolved = p.resolved_yaml();
  const std::vector<std::string> lines = lines_after(resolved, "axes:\n");
  // Written by the safsim that emitted the whole document through YAML::Emitter, point by point.
  REQUIRE(lines.size() == 2 + 12);
  CHECK(lines[0] == "axes:");
  CHECK(lines[1] == "  - points:");
  CHECK(lines[2] ==
        "      - {faults.weights.stuck_at.rate: 0, quant.weight_bits: 4, accelerator.array.rows: "
        "8, mitigation.scheme: secded, mitigation.secded_group_words: 4, "
        "faults.weights.bitflip.layer: \"\", analysis.ber_rates: [\"1e-5\", \"1e-4\", \"1e-3\", "
        "\"1e-2\"], workload.normalize.mean: []}");
  CHECK(lines[3] ==
        "      - {faults.weights.stuck_at.rate: 0, quant.weight_bits: 4, accelerator.array.rows: "
        "8, mitigation.scheme: none, mitigation.secded_group_words: 1, "
        "faults.weights.bitflip.layer: \"\", analysis.ber_rates: [\"1e-5\", \"a b\", \"x,y\", "
        "\"q\\\"z\"], workload.normalize.mean: []}");
  CHECK(lines[13] ==
        "      - {faults.weights.stuck_at.rate: 0.001, quant.weight_bits: 16, "
        "accelerator.array.rows: 32, mitigation.scheme: none, mitigation.secded_group_words: 1, "
        "faults.weights.bitflip.layer: \"conv 1: \\\"x\\\"\", analysis.ber_rates: [\"1e-5\", "
        "\"1e-4\", \"1e-3\", \"1e-2\"], workload.normalize.mean: [0.5, 0.25]}");
  CHECK(resolved.back() == '\n');
  CHECK(p.fingerprint == purpose_hash(resolved));
  CHECK(plan_text("repeat: 2\n").resolved_yaml().find("axes:\n  - points:\n      - {}\n") !=
        std::string::npos);
}

TEST_CASE("a point's config is its axes' values on the base, however it is reached", "[sweep]") {
  const SweepPlan p = plan_text(kMixed);
  REQUIRE(p.point_count() == 12);
  const Config c0 = p.point_config(0);
  CHECK(c0.mitigation.scheme == MitigationScheme::kSecded);
  CHECK(c0.mitigation.secded_group_words == 4);
  CHECK(c0.quant.weight_bits == 4);
  CHECK(c0.accelerator.array.rows == 8);
  const Config c11 = p.point_config(11);
  CHECK(c11.faults.weights.stuck_at.rate == 1e-3);
  CHECK(c11.quant.weight_bits == 16);
  CHECK(c11.accelerator.array.rows == 32);
  CHECK(c11.mitigation.scheme == p.base.mitigation.scheme);  // not set by this point
  CHECK(c11.mitigation.secded_group_words == p.base.mitigation.secded_group_words);
  CHECK(c11.faults.weights.bitflip.layer == "conv 1: \"x\"");
  CHECK(c11.workload.normalize.mean == std::vector<double>{0.5, 0.25});
  CHECK(p.point_config(4).analysis.ber_rates ==
        std::vector<std::string>{"1e-5", "a b", "x,y", "q\"z"});
  // The walk reuses one config and sets only the axes that change: each point must equal the
  // one built alone.
  int visited = 0;
  p.for_each_point([&](const SweepPoint& pt) {
    const SweepPoint alone = p.point(pt.index);
    CHECK(pt.index == visited++);
    CHECK(pt.key == alone.key);
    CHECK(pt.values == alone.values);
    CHECK(dump_config(pt.config) == dump_config(alone.config));
  });
  CHECK(visited == 12);
  CHECK(p.point_values(5) == std::vector<std::string>{"0", "16", "32", "none", "1", "conv 1: \"x\"",
                                                      "[1e-5, 1e-4, 1e-3, 1e-2]", "[0.5, 0.25]"});
}

TEST_CASE("of several bad points, the first one's error is the one reported", "[sweep]") {
  // Point 1 (rate 0.001, 99 bits) comes before point 2 (rate 2).
  CHECK(plan_error("axes:\n  - {key: faults.weights.stuck_at.rate, values: [0.001, 2, 0.5]}\n"
                   "  - {key: quant.weight_bits, values: [4, 99]}\n") ==
        "s.yaml:3:42: quant.weight_bits must be in [2, 16], got 99");
  // Point 0 holds both bad values; the reader checks quant before faults.
  CHECK(plan_error("axes:\n  - {key: faults.weights.stuck_at.rate, values: [7, 0.5]}\n"
                   "  - {key: quant.weight_bits, values: [99, 4]}\n") ==
        "s.yaml:3:39: quant.weight_bits must be in [2, 16], got 99");
  // A repeat on the inner axis (point 2 = point 0) comes before the outer one (point 6 = 0).
  CHECK(plan_error("config: {mitigation: {scheme: lsb}}\naxes:\n"
                   "  - {key: faults.weights.stuck_at.rate, values: [0.001, 0.002, 0.001]}\n"
                   "  - points: [{mitigation.scheme: lsb}, {quant.weight_bits: 4}, "
                   "{quant.weight_bits: 8}]\n") ==
        "s.yaml:3:50: points 0 and 2 are the same configuration "
        "(faults.weights.stuck_at.rate=0.001,mitigation.scheme=lsb,quant.weight_bits=8); every "
        "point of a sweep must differ");
  CHECK(plan_error("axes:\n  - {key: faults.weights.stuck_at.rate, values: [0.001, 0.002, 1e-3]}\n"
                   "  - {key: mitigation.scheme, values: [none, lsb]}\n") ==
        "s.yaml:2:64: points 0 and 4 are the same configuration "
        "(faults.weights.stuck_at.rate=0.001,mitigation.scheme=none); every point of a sweep "
        "must differ");
  // A bad value at a later point than a cross-key rule that fails earlier: the rule wins.
  CHECK_THAT(plan_error("axes:\n  - {key: faults.scheduled_flips, values: [[bad], []]}\n"
                        "  - {key: quant.weight_bits, values: [4, 99]}\n"),
             Catch::Matchers::StartsWith("faults.scheduled_flips[0] must be"));
}

TEST_CASE("a 1000 x 1000 grid plans in seconds", "[sweep]") {
  const char* env = std::getenv("SAFSIM_SOURCE_DIR");
  const std::filesystem::path root = env != nullptr ? env : SAFSIM_SOURCE_DIR;
  const auto t0 = std::chrono::steady_clock::now();
  const SweepPlan p =
      plan_sweep(load_sweep((root / "tests" / "inputs" / "sweep_grid_1000x1000.yaml").string()));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(seconds << " s");
  // Under a second in a Release build (docs/performance.md); building every point's config
  // from YAML gave no answer within a minute.
  CHECK(seconds < 60);
  REQUIRE(p.point_count() == 1000000);
  CHECK(p.point_key(999999) == "faults.weights.stuck_at.rate=0.999,workload.images=1000");
  const Config c = p.point_config(123456);
  CHECK(c.faults.weights.stuck_at.rate == 0.123);
  CHECK(c.workload.images == 457);
  CHECK(c.quant.weight_bits == 4);
  int64_t visited = 0;
  p.for_each_point([&](const SweepPoint& pt) {
    if (pt.index % 99991 == 0) {
      CHECK(pt.config.workload.images == pt.index % 1000 + 1);
      CHECK(pt.key == p.point_key(pt.index));
    }
    ++visited;
  });
  CHECK(visited == 1000000);
}
