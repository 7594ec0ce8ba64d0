// The on-disk model cache: a hit runs bit for bit as a fresh calibration, a damaged or foreign
// entry is rebuilt, any quant key changes the entry, and bias compensation still finds its
// calibration images on a hit.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "sim/config.h"
#include "sim/engines/functional_engine.h"
#include "sim/model_cache.h"
#include "sim/pipeline.h"
#include "tests/support/onnx_builder.h"
#include "workloads/quant_model_io.h"

namespace safsim {
namespace {

using test::ScopedEnv;
using test::TempDir;

/// lenet5 on 200 test images, calibrated on 64, then `overrides`.
Config lenet5(const std::vector<std::string>& overrides = {}) {
  std::vector<std::string> all = {"workload.model=lenet5", "workload.images=200",
                                  "quant.calibration_images=64"};
  all.insert(all.end(), overrides.begin(), overrides.end());
  return parse_config("", "<test>", all);
}

std::string read_binary(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

std::vector<std::filesystem::path> entries(const TempDir& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    out.push_back(e.path());
  }
  return out;
}

TEST_CASE("the cache directory: SAFSIM_CACHE_DIR, off or empty, XDG_CACHE_HOME, HOME",
          "[model_cache]") {
  {
    ScopedEnv d("SAFSIM_CACHE_DIR", "/tmp/c");
    CHECK(model_cache_dir() == "/tmp/c");
  }
  for (const char* off : {"off", ""}) {
    ScopedEnv d("SAFSIM_CACHE_DIR", off);
    CHECK(model_cache_dir().empty());
  }
  ScopedEnv d("SAFSIM_CACHE_DIR", nullptr);
  {
    ScopedEnv x("XDG_CACHE_HOME", "/x");
    CHECK(model_cache_dir() == "/x/safsim");
  }
  ScopedEnv x("XDG_CACHE_HOME", nullptr);
  {
    ScopedEnv h("HOME", "/home/u");
    CHECK(model_cache_dir() == "/home/u/.cache/safsim");
  }
  ScopedEnv h("HOME", nullptr);
  CHECK(model_cache_dir().empty());
}

TEST_CASE("a model from the cache runs bit for bit as a freshly calibrated one", "[model_cache]") {
  TempDir dir;
  const Config c = lenet5();
  Workload fresh;
  {
    ScopedEnv off("SAFSIM_CACHE_DIR", "off");
    fresh = prepare_workload(c);
  }
  CHECK(std::string(fresh.model_cache) == "off");
  ScopedEnv on("SAFSIM_CACHE_DIR", dir.path().c_str());
  const Workload miss = prepare_workload(c);
  CHECK(std::string(miss.model_cache) == "miss");
  REQUIRE(entries(dir).size() == 1);
  const Workload hit = prepare_workload(c);
  CHECK(std::string(hit.model_cache) == "hit");
  CHECK(hit.calibration_images.count == 0);  // not needed, not read
  CHECK(serialize_quant_model(hit.qmodel) == serialize_quant_model(fresh.qmodel));
  CHECK(hit.calibration.source == fresh.calibration.source);
  CHECK(hit.calibration.first == fresh.calibration.first);
  CHECK(hit.calibration.images == fresh.calibration.images);
  const Logits a = FunctionalEngine(fresh.qmodel, fresh.weights, 1).run(fresh.images);
  const Logits b = FunctionalEngine(hit.qmodel, hit.weights, 1).run(hit.images);
  CHECK(a.codes == b.codes);
  CHECK(a.values == b.values);
}

TEST_CASE("a truncated, corrupt or foreign cache entry is not trusted but rebuilt",
          "[model_cache]") {
  TempDir dir;
  ScopedEnv on("SAFSIM_CACHE_DIR", dir.path().c_str());
  const Config c = lenet5();
  const Workload first = load_workload(c);
  REQUIRE(entries(dir).size() == 1);
  const std::filesystem::path entry = entries(dir).front();
  const std::string good = read_binary(entry.string());
  const std::string name = GENERATE("truncated", "flipped byte", "other key");
  std::string bad = good;
  if (name == std::string("truncated")) {
    bad.resize(bad.size() / 2);
  } else if (name == std::string("flipped byte")) {
    bad[bad.size() / 2] ^= 0x10;
  } else {
    const std::string other = model_cache_key(lenet5({"quant.weight_bits=4"}));
    write_cached_model(dir.path(), other, CachedModel{first.qmodel, first.calibration});
    for (const std::filesystem::path& p : entries(dir)) {
      if (p != entry) {
        bad = read_binary(p.string());  // another key's entry under this key's file name
      }
    }
  }
  std::ofstream(entry, std::ios::binary | std::ios::trunc) << bad;
  INFO(name);
  const Workload rebuilt = load_workload(c);
  CHECK(std::string(rebuilt.model_cache) == "miss");
  CHECK(serialize_quant_model(rebuilt.qmodel) == serialize_quant_model(first.qmodel));
  CHECK(read_binary(entry.string()) == good);  // rewritten whole
  CHECK(std::string(load_workload(c).model_cache) == "hit");
}

TEST_CASE("every quantization key and the calibration images key the cache", "[model_cache]") {
  const std::string base = model_cache_key(lenet5());
  CHECK(model_cache_key(lenet5()) == base);
  CHECK(model_cache_key(lenet5({"workload.images=7", "workload.first_image=3"})) == base);
  for (const char* key :
       {"quant.weight_bits=6", "quant.weight_format=offset_binary", "quant.activation_bits=7",
        "quant.per_channel=true", "quant.calibration_images=65", "quant.calibration_source=test",
        "quant.calibration_first=1", "quant.accumulator_bits=24", "workload.model=lenet5_avgpool",
        "workload.normalize.mean=[0.5]", "workload.dataset=synthetic"}) {
    INFO(key);
    CHECK(model_cache_key(lenet5({key})) != base);
  }
}

TEST_CASE("bias compensation on a cache hit reads the calibration images it needs",
          "[model_cache]") {
  TempDir dir;
  const Config c = lenet5({"faults.weights.stuck_at.rate=0.02", "mitigation.scheme=c1",
                           "mitigation.bias_compensation=mean", "quant.weight_bits=4"});
  Workload fresh;
  {
    ScopedEnv off("SAFSIM_CACHE_DIR", "off");
    fresh = prepare_workload(c);
  }
  ScopedEnv on("SAFSIM_CACHE_DIR", dir.path().c_str());
  prepare_workload(lenet5({"quant.weight_bits=4"}));  // fills the cache without compensation
  const Workload hit = prepare_workload(c);
  CHECK(std::string(hit.model_cache) == "hit");
  CHECK(hit.calibration_images.count == 64);
  CHECK(hit.calibration_images.pixels == fresh.calibration_images.pixels);
  CHECK(hit.weights.bias == fresh.weights.bias);
  CHECK(FunctionalEngine(hit.qmodel, hit.weights, 1).run(hit.images).codes ==
        FunctionalEngine(fresh.qmodel, fresh.weights, 1).run(fresh.images).codes);
}

}  // namespace
}  // namespace safsim
