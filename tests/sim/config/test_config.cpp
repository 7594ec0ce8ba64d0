// Config system: defaults, every strict-parsing error message, --set overrides, the resolved
// dump round trip and the generated reference doc.
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "base/errors.h"
#include "sim/config.h"
#include "sim/config/doc.h"
#include "sim/config/keys.h"

namespace safsim {
namespace {

Config parse(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  return parse_config(yaml, "configs/x.yaml", overrides);
}

/// "allowed keys: ..." of section S, from its declarations: other engineers add keys, and these
/// tests check the message around the list (the list format is checked on ArrayConfig below).
template <class S>
std::string allowed_keys() {
  S section;
  std::vector<std::string> names;
  for (const ConfigKey& key : config_keys(section)) {
    names.push_back(key.name);
  }
  std::sort(names.begin(), names.end());
  std::string text = "allowed keys: ";
  for (size_t i = 0; i < names.size(); ++i) {
    text += (i == 0 ? "" : ", ") + names[i];
  }
  return text;
}

const std::string kTopKeys = allowed_keys<Config>();
const std::string kAcceleratorKeys = allowed_keys<AcceleratorConfig>();
constexpr const char* kFormats = "twos_complement, offset_binary, fp32, fp16, bf16";
constexpr const char* kU64Max = "18446744073709551615";

}  // namespace

TEST_CASE("an empty config gives the declared defaults", "[config]") {
  for (const char* text : {"", "# only a comment\n", "accelerator:\n"}) {
    const Config c = parse(text);
    CHECK(c.workload.model == "lenet5");
    CHECK(c.quant.weight_bits == 8);
    CHECK(c.quant.weight_format == WeightFormat::kTwosComplement);
    CHECK(c.engine == EngineKind::kFunctional);
    CHECK(c.seed == 1);
    CHECK(c.accelerator.array.rows == 16);
    CHECK(c.accelerator.clock_mhz == 500);
    CHECK(c.accelerator.weight_load == WeightLoad::kSerial);
    CHECK(c.output.trace.scopes.empty());
    CHECK(c.output.trace.end_cycle == std::numeric_limits<uint64_t>::max());
  }
}

TEST_CASE("every value type is read", "[config]") {
  const Config c = parse(
      "workload: {model: resnet20, images: 100}\n"
      "quant: {weight_format: offset_binary, per_channel: true}\n"
      "engine: cycle\n"
      "seed: 18446744073709551615\n"
      "accelerator:\n"
      "  array: {rows: 32, cols: 8}\n"
      "  clock_mhz: 1.5e3\n"
      "  nvm: {capacity_kib: 2048}\n"
      "output:\n"
      "  trace: {scopes: [top.array, 'top.nvm*'], start_cycle: 10}\n");
  CHECK(c.workload.model == "resnet20");
  CHECK(c.workload.images == 100);
  CHECK(c.quant.weight_format == WeightFormat::kOffsetBinary);
  CHECK(c.quant.per_channel);
  CHECK(c.engine == EngineKind::kCycle);
  CHECK(c.seed == std::numeric_limits<uint64_t>::max());
  CHECK(c.accelerator.array.rows == 32);
  CHECK(c.accelerator.array.cols == 8);
  CHECK(c.accelerator.clock_mhz == 1500.0);
  CHECK(c.accelerator.nvm.capacity_kib == 2048.0);
  CHECK(c.output.trace.scopes == std::vector<std::string>{"top.array", "top.nvm*"});
  CHECK(c.output.trace.start_cycle == 10);
  CHECK(c.accelerator.ifmap_sram.banks == 4);  // untouched keys keep their defaults
}

TEST_CASE("the top-level version key written by the dump is ignored", "[config]") {
  CHECK(parse("version: \"0.0.1\"\nseed: 7\n").seed == 7);
  REQUIRE_THROWS_WITH(
      parse("accelerator: {version: 1}\n"),
      "configs/x.yaml:1:15: unknown key 'accelerator.version'; " + kAcceleratorKeys);
}

TEST_CASE("unknown keys are errors with a did-you-mean from their section", "[config]") {
  REQUIRE_THROWS_AS(parse("acelerator: {}\n"), ConfigError);
  REQUIRE_THROWS_WITH(
      parse("seed: 3\nacelerator: {}\n"),
      "configs/x.yaml:2:1: unknown key 'acelerator' (did you mean 'accelerator'?); " + kTopKeys);
  REQUIRE_THROWS_WITH(
      parse("accelerator:\n  aray:\n    rows: 3\n"),
      "configs/x.yaml:2:3: unknown key 'accelerator.aray' (did you mean 'array'?); " +
          kAcceleratorKeys);
  REQUIRE_THROWS_WITH(parse("accelerator:\n  array:\n    rows: 3\n    colz: 4\n"),
                      "configs/x.yaml:4:5: unknown key 'accelerator.array.colz' (did you mean "
                      "'cols'?); allowed keys: cols, rows");
  REQUIRE_THROWS_WITH(
      parse("accelerator:\n  frobnicate: 1\n"),
      "configs/x.yaml:2:3: unknown key 'accelerator.frobnicate'; " + kAcceleratorKeys);
}

TEST_CASE("duplicate keys and multiple documents are errors", "[config]") {
  REQUIRE_THROWS_WITH(parse("seed: 1\nthreads: 2\nseed: 3\n"),
                      "configs/x.yaml:3:1: duplicate key 'seed' (first at line 1)");
  REQUIRE_THROWS_WITH(parse("seed: 1\n---\nseed: 2\n"),
                      "configs/x.yaml:3:1: a config is one YAML document, found a second one");
}

TEST_CASE("a value of the wrong type is an error at the value's line and column", "[config]") {
  // Nested key: line 3, column 11 is where `3.5` starts in "    rows: 3.5".
  REQUIRE_THROWS_WITH(parse("accelerator:\n  array:\n    rows: 3.5\n"),
                      "configs/x.yaml:3:11: accelerator.array.rows must be an integer, got '3.5'");
  REQUIRE_THROWS_WITH(parse("threads: \"4\"\n"),
                      "configs/x.yaml:1:10: threads must be an integer, got the string \"4\"");
  REQUIRE_THROWS_WITH(parse("threads: {a: 1}\n"),
                      "configs/x.yaml:1:10: threads must be an integer, got a map");
  REQUIRE_THROWS_WITH(parse("threads: [1]\n"),
                      "configs/x.yaml:1:10: threads must be an integer, got a list");
  // An empty value is null; it is reported at its key, not at the next line.
  REQUIRE_THROWS_WITH(parse("accelerator:\n  array:\n    rows:\n  clock_mhz: 5\n"),
                      "configs/x.yaml:3:5: accelerator.array.rows must be an integer, got null");
  REQUIRE_THROWS_WITH(parse("accelerator: {clock_mhz: abc}\n"),
                      "configs/x.yaml:1:26: accelerator.clock_mhz must be a number, got 'abc'");
  REQUIRE_THROWS_WITH(parse("accelerator: {clock_mhz: .inf}\n"),
                      "configs/x.yaml:1:26: accelerator.clock_mhz must be a number, got '.inf'");
  REQUIRE_THROWS_WITH(parse("accelerator: {ideal_memory: yes}\n"),
                      "configs/x.yaml:1:29: accelerator.ideal_memory must be true or false, got "
                      "'yes'");
  REQUIRE_THROWS_WITH(parse("accelerator: {ideal_memory: 1}\n"),
                      "configs/x.yaml:1:29: accelerator.ideal_memory must be true or false, got "
                      "'1'");
  REQUIRE_THROWS_WITH(parse("workload:\n  model: [a, b]\n"),
                      "configs/x.yaml:2:10: workload.model must be a string, got a list");
  REQUIRE_THROWS_WITH(parse("output:\n  trace:\n    scopes: top\n"),
                      "configs/x.yaml:3:13: output.trace.scopes must be a list of strings, got "
                      "'top'");
  REQUIRE_THROWS_WITH(parse("output:\n  trace:\n    scopes: [a, {b: 1}]\n"),
                      "configs/x.yaml:3:17: output.trace.scopes[1] must be a string, got a map");
  REQUIRE_THROWS_WITH(parse("accelerator: 5\n"),
                      "configs/x.yaml:1:14: accelerator must be a map of keys, got '5'");
}

TEST_CASE("strings take any scalar, as written", "[config]") {
  const Config c =
      parse("workload: {dataset: \"yes\"}\nselftest: {testset: 123}\noutput: {dir: true}\n");
  CHECK(c.selftest.testset == "123");
  CHECK(c.workload.dataset == "yes");
  CHECK(c.output.dir == "true");
}

TEST_CASE("out-of-range numbers are errors naming the range", "[config]") {
  REQUIRE_THROWS_WITH(parse("accelerator:\n  array:\n    rows: 0\n"),
                      "configs/x.yaml:3:11: accelerator.array.rows must be in [1, 256], got 0");
  REQUIRE_THROWS_WITH(parse("accelerator:\n  array:\n    rows: 257\n"),
                      "configs/x.yaml:3:11: accelerator.array.rows must be in [1, 256], got 257");
  REQUIRE_THROWS_WITH(parse("accelerator: {clock_mhz: 0.5}\n"),
                      "configs/x.yaml:1:26: accelerator.clock_mhz must be in [1, 10000], got 0.5");
  REQUIRE_THROWS_WITH(parse("accelerator: {clock_mhz: 1e999}\n"),
                      "configs/x.yaml:1:26: accelerator.clock_mhz must be in [1, 10000], got "
                      "1e999");
  // Too large for an int at all: still a range error, with the text as written.
  REQUIRE_THROWS_WITH(
      parse("threads: 99999999999999999999\n"),
      "configs/x.yaml:1:10: threads must be in [0, 1024], got 99999999999999999999");
  REQUIRE_THROWS_WITH(parse("seed: -1\n"), "configs/x.yaml:1:7: seed must be in [0, " +
                                               std::string(kU64Max) + "], got -1");
  REQUIRE_THROWS_WITH(parse("seed: 18446744073709551616\n"),
                      "configs/x.yaml:1:7: seed must be in [0, " + std::string(kU64Max) +
                          "], got 18446744073709551616");
  CHECK(parse("threads: +1024\n").threads == 1024);
}

TEST_CASE("an enum value must be one of its names", "[config]") {
  REQUIRE_THROWS_WITH(parse("quant:\n  weight_format: int8\n"),
                      "configs/x.yaml:2:18: quant.weight_format must be one of " +
                          std::string(kFormats) + ", got 'int8'");
  REQUIRE_THROWS_WITH(parse("quant:\n  weight_format: twos_complment\n"),
                      "configs/x.yaml:2:18: quant.weight_format must be one of " +
                          std::string(kFormats) +
                          ", got 'twos_complment' (did you mean 'twos_complement'?)");
  REQUIRE_THROWS_WITH(parse("engine: [cycle]\n"),
                      "configs/x.yaml:1:9: engine must be one of functional, cycle, got a list");
  CHECK(parse("engine: \"cycle\"\n").engine == EngineKind::kCycle);
}

TEST_CASE("accelerator.nvm.tech is checked like an enum key, before any engine", "[config]") {
  // A string key whose values are the presets of memory/nvm_tech.h: a typo fails at load time,
  // with its position and a suggestion, not when a cycle engine looks the preset up.
  REQUIRE_THROWS_WITH(parse("accelerator:\n  nvm:\n    tech: rrma\n"),
                      "configs/x.yaml:3:11: accelerator.nvm.tech must be one of rram, pcm, "
                      "stt_mram, got 'rrma' (did you mean 'rram'?)");
  REQUIRE_THROWS_WITH(parse_config("", "x", {"accelerator.nvm.tech=pcmm"}),
                      "--set accelerator.nvm.tech=pcmm: accelerator.nvm.tech must be one of rram, "
                      "pcm, stt_mram, got 'pcmm' (did you mean 'pcm'?)");
  CHECK(parse("accelerator: {nvm: {tech: stt_mram}}\n").accelerator.nvm.tech == "stt_mram");
  CHECK(dump_config(parse("accelerator: {nvm: {tech: pcm}}\n")).find("tech: pcm\n") !=
        std::string::npos);
}

TEST_CASE("YAML syntax errors and a non-map top level are config errors", "[config]") {
  REQUIRE_THROWS_AS(parse("accelerator:\n  array: [1, 2\n"), ConfigError);
  REQUIRE_THROWS_WITH(parse("seed: 1\nthreads: [1, 2\n"),
                      "configs/x.yaml:3:1: YAML syntax error: end of sequence flow not found");
  REQUIRE_THROWS_WITH(parse("seed: 1\n  threads: 2\n"),
                      "configs/x.yaml:2:10: YAML syntax error: illegal map value");
  REQUIRE_THROWS_WITH(parse("- seed\n- threads\n"),
                      "configs/x.yaml:1:1: the top level must be a map of sections, got a list");
  REQUIRE_THROWS_WITH(parse("hello\n"),
                      "configs/x.yaml:1:1: the top level must be a map of sections, got 'hello'");
}

TEST_CASE("Overrides given with --set are applied on top of the file", "[config]") {
  const Config c = parse("accelerator:\n  array: {rows: 8}\n",
                         {"accelerator.array.rows=32", "output.trace.scopes=[a, b]",
                          "workload.dataset=my data", "engine = cycle", "seed=5", "seed=6"});
  CHECK(c.accelerator.array.rows == 32);
  CHECK(c.output.trace.scopes == std::vector<std::string>{"a", "b"});
  CHECK(c.workload.dataset == "my data");
  CHECK(c.engine == EngineKind::kCycle);
  CHECK(c.seed == 6);  // the later override wins
  // Overrides create missing or empty sections, and replace a bad file value before it is read.
  CHECK(parse("", {"accelerator.nvm.banks=2"}).accelerator.nvm.banks == 2);
  CHECK(parse("accelerator:\n", {"accelerator.nvm.banks=2"}).accelerator.nvm.banks == 2);
  CHECK(parse("accelerator: {array: {rows: 0}}\n", {"accelerator.array.rows=4"})
            .accelerator.array.rows == 4);
  CHECK(parse("output: {trace: {scopes: [x]}}\n", {"output.trace.scopes=[]"})
            .output.trace.scopes.empty());
}

TEST_CASE("bad --set overrides are errors naming the override", "[config]") {
  REQUIRE_THROWS_WITH(parse("", {"accelerator.array.rows"}),
                      "--set accelerator.array.rows: expected key.path=value");
  REQUIRE_THROWS_WITH(parse("", {"=5"}), "--set =5: expected key.path=value");
  REQUIRE_THROWS_WITH(parse("", {"accelerator..rows=5"}),
                      "--set accelerator..rows=5: 'accelerator..rows' is not a key path (empty "
                      "name between dots)");
  REQUIRE_THROWS_WITH(parse("", {"accelerator.aray.rows=32"}),
                      "--set accelerator.aray.rows=32: unknown key 'accelerator.aray' (did you "
                      "mean 'array'?); " +
                          kAcceleratorKeys);
  REQUIRE_THROWS_WITH(parse("", {"sead=3"}),
                      "--set sead=3: unknown key 'sead' (did you mean "
                      "'seed'?); " +
                          kTopKeys);
  REQUIRE_THROWS_WITH(parse("", {"accelerator.array=32"}),
                      "--set accelerator.array=32: 'accelerator.array' is a section; set one of "
                      "its keys: cols, rows");
  REQUIRE_THROWS_WITH(parse("", {"seed.low=3"}),
                      "--set seed.low=3: 'seed' is a value, not a section, so it has no key 'low'");
  REQUIRE_THROWS_WITH(parse("", {"output.trace.scopes=[a, b"}),
                      "--set output.trace.scopes=[a, b: the value is not valid YAML (end of "
                      "sequence flow not found at column 1)");
  // The value passes the same checks as a file value, reported against the override.
  REQUIRE_THROWS_WITH(parse("", {"accelerator.array.rows=0"}),
                      "--set accelerator.array.rows=0: accelerator.array.rows must be in [1, "
                      "256], got 0");
  REQUIRE_THROWS_WITH(parse("", {"output.trace.scopes=[a, [b]]"}),
                      "--set output.trace.scopes=[a, [b]]: output.trace.scopes[1] must be a "
                      "string, got a list");
  REQUIRE_THROWS_WITH(parse("", {"quant.weight_format=fp8"}),
                      "--set quant.weight_format=fp8: quant.weight_format must be one of " +
                          std::string(kFormats) + ", got 'fp8' (did you mean 'fp32'?)");
  // The file's own errors are still reported at their file position.
  REQUIRE_THROWS_WITH(parse("accelerator: 5\n", {"accelerator.array.rows=4"}),
                      "configs/x.yaml:1:14: accelerator must be a map of keys, got '5'");
}

TEST_CASE("the dump reads back to the same config", "[config]") {
  Config c;
  c.selftest.testset = "true";  // strings that look like other YAML types stay strings
  c.workload.dataset = "";
  c.output.dir = "a: b # c";
  c.output.trace.scopes = {"top.*", "null", "x, y"};
  c.output.trace.start_cycle = 12345678901234ull;
  c.quant.weight_format = WeightFormat::kBf16;
  c.engine = EngineKind::kCycle;
  c.seed = 0;
  c.accelerator.clock_mhz = 333.3;
  c.accelerator.ifmap_sram.capacity_kib = 0.1;
  c.accelerator.ideal_memory = true;
  c.accelerator.weight_load = WeightLoad::kOverlapped;
  const std::string dump = dump_config(c);
  CHECK(dump.rfind("version: \"" SAFSIM_VERSION "\"\n", 0) == 0);
  CHECK(dump.find("end_cycle: 18446744073709551615\n") != std::string::npos);
  CHECK(dump.find("weight_format: bf16\n") != std::string::npos);
  CHECK(dump.find("capacity_kib: 0.1\n") != std::string::npos);

  const Config back = parse_config(dump, "config.resolved.yaml");
  CHECK(dump_config(back) == dump);
  CHECK(back.selftest.testset == "true");
  CHECK(back.output.trace.scopes == c.output.trace.scopes);
  CHECK(back.accelerator.clock_mhz == 333.3);
  CHECK(dump_config(parse("")) == dump_config(Config{}));
}

TEST_CASE("load_config reads a file and names it in errors", "[config]") {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / "safsim_test_config.yaml";
  std::ofstream(path) << "seed: 9\naccelerator:\n  array: {rows: 300}\n";
  REQUIRE_THROWS_WITH(load_config(path.string()),
                      path.string() + ":3:17: accelerator.array.rows must be in [1, 256], got 300");
  const Config c = load_config(path.string(), {"accelerator.array.rows=64"});
  CHECK(c.seed == 9);
  CHECK(c.accelerator.array.rows == 64);
  std::filesystem::remove(path);
  REQUIRE_THROWS_WITH(load_config("/nonexistent/x.yaml"),
                      "/nonexistent/x.yaml: cannot open config file: No such file or directory");
}

TEST_CASE("docs/config_reference.md matches the config declarations", "[config]") {
  const std::string path = std::string(SAFSIM_SOURCE_DIR) + "/docs/config_reference.md";
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  const std::string generated = config_reference_markdown();
  INFO(path << " is out of date; regenerate it with:\n"
            << "  ./build/safsim config-reference > docs/config_reference.md");
  const bool up_to_date = text.str() == generated;  // not CHECK(a == b): both are pages long
  CHECK(up_to_date);
  // Every key appears with its full dotted path.
  CHECK(generated.find("| `accelerator.array.rows` | int | `16` | [1, 256] |") !=
        std::string::npos);
  CHECK(generated.find("`twos_complement`, `offset_binary`") != std::string::npos);
}

}  // namespace safsim

namespace safsim {
namespace {

TEST_CASE("lists of numbers are read, range-checked per entry and round-trip", "[config]") {
  const Config c = parse(
      "workload:\n  normalize: {mean: [0.4914, 0.4822, 0.4465], std: [0.247, "
      "0.2435, 0.2616]}\n");
  CHECK(c.workload.normalize.mean == std::vector<double>{0.4914, 0.4822, 0.4465});
  CHECK(c.workload.normalize.std == std::vector<double>{0.247, 0.2435, 0.2616});
  const Config again = parse(dump_config(c));
  CHECK(again.workload.normalize.mean == c.workload.normalize.mean);
  CHECK(again.workload.normalize.std == c.workload.normalize.std);
  CHECK(parse("", {"workload.normalize.std=[0.5]"}).workload.normalize.std ==
        std::vector<double>{0.5});
  REQUIRE_THROWS_WITH(parse("workload:\n  normalize:\n    std: 0.5\n"),
                      "configs/x.yaml:3:10: workload.normalize.std must be a list of numbers, got "
                      "'0.5'");
  REQUIRE_THROWS_WITH(parse("workload:\n  normalize:\n    std: [0.5, abc]\n"),
                      "configs/x.yaml:3:16: workload.normalize.std[1] must be a number, got 'abc'");
  REQUIRE_THROWS_WITH(parse("workload:\n  normalize:\n    std: [0.5, 0]\n"),
                      "configs/x.yaml:3:16: workload.normalize.std[1] must be in [1e-09, 1000000], "
                      "got 0");
}

}  // namespace
}  // namespace safsim
