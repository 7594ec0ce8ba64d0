// ONNX model bytes -> Model, as `workload.model: FILE.onnx` is read (import_onnx: the protobuf,
// then every node through the op rules, constant folding, shapes and the size limits).
#include "tests/fuzz/libfuzzer/fuzz_support.h"
#include "workloads/onnx_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = safsim::fuzz::write_scratch("model.onnx", data, size);
  safsim::fuzz::expect_clean([&] {
    const safsim::Model m = safsim::import_onnx(path);
    safsim::fuzz::require(!m.layers.empty(), "an imported model without layers");
  });
  return 0;
}
