// The test set of configs/selftest_lifetime.yaml is what indexed_test_set makes for its images
// on the config's fault-free deployment (regenerate on purpose with SAFSIM_UPDATE_GOLDEN=1).
#include <catch2/catch.hpp>
#include <cstdlib>

#include "sim/pipeline.h"
#include "sim/selection/selftest_setup.h"

using namespace safsim;

TEST_CASE("the lifetime example's test set holds the golden results of its deployment",
          "[selftest][zoo]") {
  const std::string root = SAFSIM_SOURCE_DIR;
  Config c = load_config(root + "/configs/selftest_lifetime.yaml");
  c.workload.images = 1;
  const Workload w = prepare_workload(c);
  const std::string path = root + "/" + c.selftest.testset;
  std::vector<int> indices;
  for (int i = 0; i < 20; ++i) {
    indices.push_back(i);
  }
  TestSet expected = indexed_test_set(
      w.qmodel, fault_free_deployment(w.qmodel, c),
      load_dataset(dataset_source(c, w.model.input_shape), DatasetSplit::kTest), indices);
  expected.dataset = c.workload.dataset;
  expected.model = c.workload.model;
  const char* update = std::getenv("SAFSIM_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    write_test_set(expected, path);
  }
  const TestSet committed = read_test_set(path);
  REQUIRE(committed.model_hash == expected.model_hash);
  REQUIRE(committed.images.size() == expected.images.size());
  for (size_t i = 0; i < expected.images.size(); ++i) {
    REQUIRE(committed.images[i].index == expected.images[i].index);
    REQUIRE(committed.images[i].golden_top1 == expected.images[i].golden_top1);
    REQUIRE(committed.images[i].golden_codes == expected.images[i].golden_codes);
  }
}
