// testset.json -> TestSet, as `selftest.testset` is read (JSON, then every field's type and
// range). A set that parses must convert to JSON and back to the same set.
#include <nlohmann/json.hpp>

#include "hw_models/test_set.h"
#include "tests/fuzz/libfuzzer/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = safsim::fuzz::write_scratch("testset.json", data, size);
  safsim::fuzz::expect_clean([&] {
    const safsim::TestSet t = safsim::read_test_set(path);
    const nlohmann::ordered_json j = safsim::to_json(t);
    const safsim::TestSet back = safsim::test_set_from_json(j, "to_json");
    safsim::fuzz::require(safsim::to_json(back) == j, "a test set does not read back as written");
  });
  return 0;
}
