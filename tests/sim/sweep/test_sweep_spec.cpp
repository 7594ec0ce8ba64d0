// Sweep files: axis expansion (grid, zip, points and their products), trial seeds, and every
// error a bad sweep file gets before any trial runs, with its exact message.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "base/errors.h"
#include "sim/sweep/plan.h"
#include "sim/sweep/spec.h"

using namespace safsim;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

SweepPlan plan_text(const std::string& yaml) { return plan_sweep(parse_sweep(yaml, "s.yaml")); }

std::vector<std::string> keys(const SweepPlan& p) {
  std::vector<std::string> k;
  p.for_each_point([&](const SweepPoint& pt) { k.push_back(pt.key); });
  return k;
}

}  // namespace

TEST_CASE("a grid is the cartesian product, first axis outermost", "[sweep]") {
  const SweepPlan p = plan_text(R"(
axes:
  - {key: faults.weights.stuck_at.rate, values: [0, 1e-3, 0.01]}
  - {key: mitigation.scheme, values: [none, addsub]}
repeat: 4
)");
  REQUIRE(p.columns ==
          std::vector<std::string>{"faults.weights.stuck_at.rate", "mitigation.scheme"});
  REQUIRE(keys(p) ==
          std::vector<std::string>{"faults.weights.stuck_at.rate=0,mitigation.scheme=none",
                                   "faults.weights.stuck_at.rate=0,mitigation.scheme=addsub",
                                   "faults.weights.stuck_at.rate=0.001,mitigation.scheme=none",
                                   "faults.weights.stuck_at.rate=0.001,mitigation.scheme=addsub",
                                   "faults.weights.stuck_at.rate=0.01,mitigation.scheme=none",
                                   "faults.weights.stuck_at.rate=0.01,mitigation.scheme=addsub"});
  REQUIRE(p.point(3).config.faults.weights.stuck_at.rate == 1e-3);
  REQUIRE(p.point(3).config.mitigation.scheme == MitigationScheme::kAddSub);
  REQUIRE(p.trials() == 24);
  REQUIRE(p.metrics == std::vector<std::string>{"accuracy", "accuracy_drop"});
}

TEST_CASE("a zip varies its keys together", "[sweep]") {
  const SweepPlan p = plan_text(R"(
axes:
  - zip:
      - {key: quant.weight_bits, values: [4, 8, 16]}
      - {key: accelerator.array.rows, values: [8, 16, 32]}
)");
  REQUIRE(keys(p) == std::vector<std::string>{"quant.weight_bits=4,accelerator.array.rows=8",
                                              "quant.weight_bits=8,accelerator.array.rows=16",
                                              "quant.weight_bits=16,accelerator.array.rows=32"});
}

TEST_CASE("explicit points may set different keys, the others keep the base value", "[sweep]") {
  const SweepPlan p = plan_text(R"(
config: {mitigation: {scheme: lsb}}
axes:
  - points:
      - {mitigation.scheme: addsub, quant.weight_bits: 4}
      - {quant.weight_bits: 16}
)");
  REQUIRE(p.columns == std::vector<std::string>{"mitigation.scheme", "quant.weight_bits"});
  REQUIRE(keys(p) == std::vector<std::string>{"mitigation.scheme=addsub,quant.weight_bits=4",
                                              "mitigation.scheme=lsb,quant.weight_bits=16"});
}

TEST_CASE("grid x zip x points multiplies out", "[sweep]") {
  const SweepPlan p = plan_text(R"(
engine: functional
axes:
  - {key: faults.weights.stuck_at.rate, values: [0.001, 0.002]}
  - zip:
      - {key: quant.weight_bits, values: [4, 8]}
      - {key: workload.images, values: [10, 20]}
  - points: [{mitigation.scheme: none}, {mitigation.scheme: c1}, {mitigation.scheme: lsb}]
)");
  REQUIRE(p.point_count() == 12);
  REQUIRE(p.point_key(0) ==
          "faults.weights.stuck_at.rate=0.001,quant.weight_bits=4,workload.images=10,"
          "mitigation.scheme=none");
  REQUIRE(p.point_key(11) ==
          "faults.weights.stuck_at.rate=0.002,quant.weight_bits=8,workload.images=20,"
          "mitigation.scheme=lsb");
}

TEST_CASE("no axes is one point", "[sweep]") {
  const SweepPlan p = plan_text("repeat: 3\n");
  REQUIRE(p.point_count() == 1);
  REQUIRE(p.point_key(0).empty());
  REQUIRE(p.trials() == 3);
}

TEST_CASE("the resolved sweep of a sweep without axes plans again (its one point is {})",
          "[sweep]") {
  // Found by the sweep's libFuzzer target: `points: [{}]` used to be refused as "must be a
  // non-empty map", so the sweep.resolved.yaml of such a sweep could not be run again.
  const SweepPlan p = plan_text("repeat: 3\n");
  const SweepPlan again = plan_sweep(parse_sweep(p.resolved_yaml(), "s.resolved.yaml"));
  REQUIRE(again.resolved_yaml() == p.resolved_yaml());
  REQUIRE(again.point_count() == 1);
  REQUIRE(again.trials() == 3);
}

TEST_CASE("trial seeds are distinct, stable, and the same at every point", "[sweep]") {
  std::set<uint64_t> seeds;
  for (int t = 0; t < 10000; ++t) {
    seeds.insert(trial_seed(1, t));
  }
  REQUIRE(seeds.size() == 10000);
  REQUIRE(trial_seed(1, 0) == 4216751373725408994ull);  // pinned: results files quote it
  REQUIRE(trial_seed(2, 0) != trial_seed(1, 0));
}

TEST_CASE("the resolved sweep is itself a sweep that plans identically", "[sweep]") {
  const SweepPlan p = plan_text(R"(
name: r
axes:
  - {key: faults.weights.stuck_at.rate, values: [0, 1e-3]}
  - {key: faults.weights.bitflip.layer, values: ["", conv1]}
seed: 7
repeat: 2
metrics: [accuracy, deviation_histogram_after]
)");
  const SweepPlan again = plan_sweep(parse_sweep(p.resolved_yaml(), "s.resolved.yaml"));
  REQUIRE(again.resolved_yaml() == p.resolved_yaml());
  REQUIRE(keys(again) == keys(p));
  REQUIRE(p.metrics.size() == 18);  // accuracy + 17 log2 bins
}

TEST_CASE("sweep errors name the file, line and column before any trial", "[sweep]") {
  const auto err = [](const std::string& yaml) {
    try {
      plan_text(yaml);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(err("axes:\n  - {key: faults.weights.stuck_at.rat, values: [1]}\n"),
             StartsWith("s.yaml:2:11: unknown key 'faults.weights.stuck_at.rat' (did you mean "
                        "'rate'?); allowed keys: "));
  CHECK(err("axes:\n  - {key: mitigation.scheme, values: []}\n") ==
        "s.yaml:2:38: axes[0] mitigation.scheme: 'values' is empty; an axis needs at least one "
        "value");
  CHECK(err("axes:\n  - key: faults.weights.stuck_at.rate\n    values: [0.1, abc]\n") ==
        "s.yaml:3:19: faults.weights.stuck_at.rate must be a number, got 'abc'");
  CHECK(err("axes:\n  - {key: faults.weights.stuck_at.rate, values: [2]}\n") ==
        "s.yaml:2:50: faults.weights.stuck_at.rate must be in [0, 1], got 2");
  CHECK_THAT(err("axes:\n  - {key: mitigation.scheme, values: [addsubb]}\n"),
             StartsWith("s.yaml:2:39: mitigation.scheme must be one of ") &&
                 Contains("got 'addsubb' (did you mean 'addsub'?)"));
  CHECK(err("axes:\n  - zip:\n    - {key: quant.weight_bits, values: [4, 8]}\n"
            "    - {key: accelerator.array.rows, values: [8]}\n") ==
        "s.yaml:4:7: axes[0]: zipped keys need equal numbers of values; "
        "'accelerator.array.rows' has 1 but 'quant.weight_bits' has 2");
  CHECK(err("axes:\n  - {key: accelerator.array, values: [1]}\n") ==
        "s.yaml:2:11: 'accelerator.array' is a section; use one of its keys: cols, rows");
  CHECK(err("axis: []\n") ==
        "s.yaml:1:1: unknown key 'axis' in the sweep file (did you mean 'axes'?); allowed "
        "keys: name, description, base, config, engine, axes, repeat, seed, metrics, selftest, "
        "version");
  CHECK(err("axes:\n  - {key: seed, values: [1, 2]}\n") ==
        "s.yaml:2:11: 'seed' is set per trial from the sweep's top-level seed: "
        "(docs/sweeps.md); set that instead");
  CHECK(err("axes:\n  - {key: quant.weight_bits, values: [4]}\n"
            "  - points: [{quant.weight_bits: 8}]\n") ==
        "s.yaml:3:34: 'quant.weight_bits' is already an axis at s.yaml:2:39; a key can vary on "
        "one axis only (use zip: or points: to vary keys together)");
  CHECK(err("axes:\n  - {key: faults.weights.stuck_at.rate, values: [0.001, 1e-3]}\n") ==
        "s.yaml:2:57: points 0 and 1 are the same configuration "
        "(faults.weights.stuck_at.rate=0.001); every point of a sweep must differ");
  CHECK(err("metrics: [accuracy, acuracy_drop]\n") ==
        "s.yaml:1:21: unknown metric 'acuracy_drop' (did you mean 'accuracy_drop'?); known "
        "metrics: " +
            err("metrics: [x]\n").substr(err("metrics: [x]\n").find("known metrics: ") + 15));
  CHECK(err("metrics: [accuracy, cycles]\n") ==
        "s.yaml:1:21: metric 'cycles' comes from the cycle engine, but the sweep runs the "
        "functional engine at some points; set engine: cycle");
  CHECK(err("metrics: [accuracy, accuracy]\n") ==
        "s.yaml:1:21: metric 'accuracy' is already listed at s.yaml:1:11");
  CHECK(err("repeat: 0\n") == "s.yaml:1:9: repeat must be an integer in [1, 1000000], got '0'");
  CHECK_THAT(err("config:\n  quant: {weight_bitz: 4}\n"),
             StartsWith("s.yaml:2:11: unknown key 'quant.weight_bitz' (did you mean "
                        "'weight_bits'?)"));
  CHECK(err("engine: cylce\n") ==
        "s.yaml:1:9: engine must be one of functional, cycle, got 'cylce' (did you mean "
        "'cycle'?)");
  CHECK(err("base: no_such.yaml\n") ==
        "s.yaml:1:7: cannot open base config 'no_such.yaml': No such file or directory");
  CHECK(err("axes: {key: a}\n") == "s.yaml:1:7: axes must be a list, got a map");
  CHECK(err("axes:\n  - {values: [1]}\n") ==
        "s.yaml:2:5: axes[0] needs 'key:' naming a config key (e.g. "
        "faults.weights.stuck_at.rate)");
}

TEST_CASE("a base config is read relative to the sweep file, its own errors point into it",
          "[sweep]") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("safsim_test_sweep_base_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "base.yaml") << "workload:\n  images: 7\nquant:\n  weight_bits: 99\n";
  std::ofstream(dir / "s.yaml") << "base: base.yaml\naxes:\n  - {key: workload.images, "
                                   "values: [1, 2]}\n";
  const std::string sweep = (dir / "s.yaml").string();
  REQUIRE_THROWS_WITH(
      plan_sweep(load_sweep(sweep)),
      (dir / "base.yaml").string() + ":4:16: quant.weight_bits must be in [2, 16], got 99");
  std::ofstream(dir / "base.yaml") << "workload:\n  images: 7\n";
  const SweepPlan p = plan_sweep(load_sweep(sweep));
  REQUIRE(p.base.workload.images == 7);
  REQUIRE(p.point_config(1).workload.images == 2);
  std::filesystem::remove_all(dir);
}

TEST_CASE("every sweep in configs/sweeps plans without errors", "[sweep]") {
  const char* env = std::getenv("SAFSIM_SOURCE_DIR");
  const std::filesystem::path root = env != nullptr ? env : SAFSIM_SOURCE_DIR;
  int planned = 0;
  for (const auto& entry : std::filesystem::directory_iterator(root / "configs" / "sweeps")) {
    if (entry.path().extension() == ".yaml") {
      INFO(entry.path().string());
      const SweepPlan p = plan_sweep(load_sweep(entry.path().string()));
      REQUIRE(p.trials() > 0);
      ++planned;
    }
  }
  REQUIRE(planned >= 1);
}
