// Test-set loading and the checks that tie it to the deployed model.
#include "sim/selection/selftest_setup.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/errors.h"
#include "memory/deployment.h"
#include "sim/engines/functional_engine.h"
#include "sim/pipeline.h"

namespace safsim {

DeployedWeights fault_free_deployment(const QuantModel& qm, const Config& c) {
  MitigationConfig m = c.mitigation;
  m.defect_map = DefectMapSource::kOracle;  // nothing to find on a fault-free memory
  return deploy(qm, FaultsConfig{}, m, c.seed, /*trial=*/0, nullptr);
}

Dataset test_set_images(const TestSet& set, const Dataset& split, const std::string& source) {
  Dataset d;
  d.name = split.name;
  d.shape = split.shape;
  d.count = static_cast<int>(set.images.size());
  const size_t px = split.shape.size();
  d.pixels.reserve(px * set.images.size());
  for (const TestImage& im : set.images) {
    if (im.index >= split.count) {
      throw UserError(fmt::format("{}: image index {} is outside the {} test images of '{}'",
                                  source, im.index, split.count, split.name));
    }
    const uint8_t* p = split.image(im.index);
    d.pixels.insert(d.pixels.end(), p, p + px);
    d.labels.push_back(split.labels[size_t(im.index)]);
  }
  return d;
}

TestSet indexed_test_set(const QuantModel& qm, const DeployedWeights& weights, const Dataset& pool,
                         const std::vector<int>& indices) {
  TestSet t;
  t.strategy = "indices";
  t.dataset = pool.name;
  t.model_hash = deployed_model_hash(qm, weights);
  t.is_float = qm.is_float();
  t.logit_scale = qm.layers.back().out_q.scale;
  for (const int i : indices) {
    TestImage im;
    im.index = i;
    t.images.push_back(im);
  }
  const Dataset images = test_set_images(t, pool, "indexed_test_set");
  const Logits golden = FunctionalEngine(qm, weights, 1).run(images);
  for (size_t i = 0; i < indices.size(); ++i) {
    t.images[i] = golden_image(golden, static_cast<int>(i));
    t.images[i].index = indices[i];
  }
  return t;
}

SelfTestProgram load_self_test_program(const Config& c, const QuantModel& qm) {
  const std::string& path = c.selftest.testset;
  if (path.empty()) {
    throw ConfigError("selftest.testset is empty: name the testset.json (`safsim select`)");
  }
  SelfTestProgram p;
  p.set = read_test_set(path);
  const std::string hash = deployed_model_hash(qm, fault_free_deployment(qm, c));
  if (p.set.model_hash != hash) {
    throw UserError(fmt::format(
        "selftest.testset '{}' was selected for model '{}' with model hash {}, but the fault-free "
        "deployment of this config (model '{}', {}-bit {} weights, scheme {}) hashes to {}: "
        "select a test set for this model, quantization and mitigation.scheme",
        path, p.set.model, p.set.model_hash, c.workload.model, qm.weight_format.bits,
        to_string(qm.weight_format.format), to_string(c.mitigation.scheme), hash));
  }
  if (p.set.dataset != c.workload.dataset) {
    throw UserError(fmt::format(
        "selftest.testset '{}' indexes images of dataset '{}', but workload.dataset is '{}'", path,
        p.set.dataset, c.workload.dataset));
  }
  if (p.set.is_float != qm.is_float()) {
    throw UserError(fmt::format("selftest.testset '{}': is_float is {}, the model's outputs are {}",
                                path, p.set.is_float, qm.is_float() ? "float" : "integer"));
  }
  for (const TestImage& im : p.set.images) {
    const size_t n = p.set.is_float ? im.golden_values.size() : im.golden_codes.size();
    if (n != size_t(qm.classes()) || im.golden_top1 < 0 || im.golden_top1 >= qm.classes()) {
      throw UserError(fmt::format(
          "selftest.testset '{}': image {} has {} golden logits (top-1 {}), the model has {} "
          "classes",
          path, im.index, n, im.golden_top1, qm.classes()));
    }
  }
  p.images = test_set_images(
      p.set, load_dataset(dataset_source(c, qm.input_shape), DatasetSplit::kTest), path);
  return p;
}

nlohmann::ordered_json self_test_report(const SelfTestController& stc, const Config& c,
                                        uint64_t total_cycles) {
  const SelfTestConfig& s = c.selftest;
  nlohmann::ordered_json j;
  j["testset"] = s.testset;
  j["test_images"] = stc.test_images();
  j["period"] = s.period;
  j["period_unit"] = s.period_unit == PeriodUnit::kInferences ? "inferences" : "cycles";
  j["min_mismatches"] = s.min_mismatches;
  j["logit_threshold"] = s.logit_threshold;
  j["buffer_bytes"] = stc.buffer().bytes();
  j["buffer_image_bytes"] = stc.buffer().image_bytes;
  j["buffer_golden_bytes"] = stc.buffer().golden_bytes;
  j["tests_run"] = stc.tests().size();
  j["test_images_run"] = stc.test_images_run();
  j["test_cycles"] = stc.test_cycles();
  j["test_cycle_share"] = total_cycles > 0 ? double(stc.test_cycles()) / double(total_cycles) : 0.0;
  j["fault_detected"] = stc.flag();
  if (stc.flag()) {
    j["fault_detected_cycle"] = stc.fault_detected_cycle();
  } else {
    j["fault_detected_cycle"] = nullptr;
  }
  nlohmann::ordered_json tests = nlohmann::ordered_json::array();
  for (const SelfTestRecord& t : stc.tests()) {
    nlohmann::ordered_json e;
    e["start_cycle"] = t.start_cycle;
    e["end_cycle"] = t.end_cycle;
    e["mismatches"] = t.verdict.mismatches;
    e["max_logit_distance"] = t.verdict.max_logit_distance;
    e["fault_detected"] = t.verdict.fault_detected;
    if (t.verdict.fault_detected) {
      e["detected_cycle"] = t.detected_cycle;
      e["detected_after_images"] = t.detected_after_images;
    }
    tests.push_back(std::move(e));
  }
  j["tests"] = std::move(tests);
  return j;
}

}  // namespace safsim
