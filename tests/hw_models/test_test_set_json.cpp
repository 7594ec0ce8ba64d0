// A test-set file's numbers are range-checked, never truncated or taken as they come.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "base/errors.h"
#include "hw_models/test_set.h"

namespace safsim {
namespace {

nlohmann::json valid_set() {
  return nlohmann::json::parse(R"({"strategy": "random", "dataset": "fashion-mnist",
    "model": "lenet5", "model_hash": "abc", "is_float": false, "logit_scale": 0.05,
    "images": [{"index": 3, "score": 0.5, "golden_top1": 2, "golden_logits": [1, -4, 9]}]})");
}

std::string error_of(const nlohmann::json& j) {
  try {
    test_set_from_json(j, "ts.json");
  } catch (const UserError& e) {
    return e.what();
  }
  FAIL("no UserError thrown");
  return "";
}

}  // namespace

TEST_CASE("a valid test set reads back its fields", "[selftest][limits]") {
  const TestSet t = test_set_from_json(valid_set(), "ts.json");
  REQUIRE(t.images.size() == 1);
  CHECK(t.images[0].golden_top1 == 2);
  CHECK(t.images[0].golden_codes == std::vector<int32_t>{1, -4, 9});
}

TEST_CASE("test-set numbers out of range are errors naming the field", "[selftest][limits]") {
  nlohmann::json j = valid_set();
  j["images"][0]["golden_top1"] = int64_t{1} << 40;
  CHECK_THAT(error_of(j), Catch::Contains("ts.json: golden_top1 must be in [0, 2147483647]"));
  j = valid_set();
  j["images"][0]["golden_top1"] = 2.5;
  CHECK_THAT(error_of(j), Catch::Contains("golden_top1 must be an integer, got 2.5"));
  for (const double scale : {0.0, -1.0, 1e39}) {
    j = valid_set();
    j["logit_scale"] = scale;
    CHECK_THAT(error_of(j), Catch::Contains("logit_scale must be a number in"));
  }
  j = valid_set();
  j["images"][0]["golden_logits"] = {1, int64_t{1} << 33, 2};
  CHECK_THAT(error_of(j), Catch::Contains("golden_logits must be in"));
  j = valid_set();
  j["images"][0]["index"] = -1;
  CHECK_THAT(error_of(j), Catch::Contains("index must be in [0, 2147483647], got -1"));
}

}  // namespace safsim
