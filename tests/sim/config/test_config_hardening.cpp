// Inputs that used to be accepted silently or escape as internal errors: a second YAML
// document, a config path that is a directory, a device or FIFO as config, a zoo model name that
// names no model (reported when the model loaded, without the key's position).
#include <catch2/catch.hpp>
#include <string>

#include "base/errors.h"
#include "sim/config.h"
#include "sim/sweep/spec.h"
#include "tests/support/onnx_builder.h"

namespace safsim {

TEST_CASE("a second YAML document is an error in configs, overrides and sweep files",
          "[config][limits]") {
  CHECK_THROWS_WITH(parse_config("seed: 1\n---\nseed: 2\n", "x.yaml"),
                    "x.yaml:3:1: a config is one YAML document, found a second one");
  CHECK_THROWS_WITH(parse_config("seed: 1\n", "x.yaml", {"seed=3\n---\n4"}),
                    Catch::Contains("more than one YAML document"));
  CHECK_THROWS_WITH(parse_sweep("name: s\n---\nrepeat: 2\n", "s.yaml"),
                    Catch::Contains("s.yaml:3:1: a sweep file is one YAML document"));
}

TEST_CASE("a config path that is a directory, a device or missing is a config error",
          "[config][limits]") {
  test::TempDir dir;
  CHECK_THROWS_AS(load_config(dir.path()), ConfigError);
  CHECK_THROWS_WITH(load_config(dir.path()),
                    dir.path() + ": cannot open config file: is a directory");
  CHECK_THROWS_WITH(load_config("/dev/zero"),
                    Catch::Contains("/dev/zero: cannot open config file: not a regular file"));
}

TEST_CASE("an unknown zoo model is an error at its key, a path is left to the importer",
          "[config][limits]") {
  CHECK_THROWS_WITH(parse_config("workload:\n  model: lenet\n", "x.yaml"),
                    Catch::StartsWith("x.yaml:2:10: workload.model: unknown model 'lenet' (did "
                                      "you mean 'lenet5'?); available zoo models"));
  CHECK_THROWS_WITH(parse_config("", "x.yaml", {"workload.model=lenet"}),
                    Catch::StartsWith("--set workload.model=lenet: unknown model 'lenet'"));
  CHECK(parse_config("workload: {model: resnet20}\n", "x.yaml").workload.model == "resnet20");
  CHECK(parse_config("workload: {model: no/such.onnx}\n", "x.yaml").workload.model ==
        "no/such.onnx");
}

TEST_CASE("a ',' where a YAML document starts is a syntax error, not an endless parse",
          "[config][limits]") {
  // yaml-cpp's LoadAll() collects empty documents without end on these (sim/config/yaml_stall.h).
  CHECK_THROWS_WITH(parse_config(",", "x.yaml"), "x.yaml:1:1: YAML syntax error: unexpected ','");
  CHECK_THROWS_WITH(parse_config("# a comment\n, 10 images\nseed: 1\n", "x.yaml"),
                    "x.yaml:2:1: YAML syntax error: unexpected ','");
  CHECK_THROWS_WITH(parse_config("[a, b]\n, 1\n", "x.yaml"),
                    "x.yaml:2:1: YAML syntax error: unexpected ','");
  CHECK_THROWS_WITH(parse_config("", "x.yaml", {"seed=,"}),
                    "--set seed=,: the value is not valid YAML (unexpected ',' at column 1)");
  CHECK_THROWS_WITH(parse_sweep("name: s\n,\n", "s.yaml"), Catch::StartsWith("s.yaml:2:1: "));
  // Two documents stay a second-document error; one document loads.
  CHECK_THROWS_WITH(parse_config("seed: 1\n---\nseed: 2\n", "x.yaml"),
                    Catch::Contains("found a second one"));
  CHECK(parse_config("seed: 3\n", "x.yaml").seed == 3);
}

}  // namespace safsim
