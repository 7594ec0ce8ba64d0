// Checking the importer and the fp32 reference against tensors computed elsewhere (ONNX's
// backend test data): import a model, run it on input tensors, compare with expected outputs.
// `safsim onnx-check` prints what this returns.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "workloads/tensor_compare.h"

namespace safsim {

struct OnnxCheckRequest {
  std::string model_path;
  // TensorProto files. The first graph input that is not an initializer is the image: its
  // tensor is N x C x H x W or N x K and the model runs once per batch element. A tensor for
  // any other graph input (ONNX's node tests pass Conv weights and Gemm biases this way) is
  // bound as an initializer. Tensors are matched by name, unnamed ones by position.
  std::vector<std::string> input_paths;
  std::vector<std::string> expect_paths;  // one per graph output
  Tolerance tolerance;
};

/// The comparison of one graph output.
struct OnnxOutputCheck {
  std::string name;           // the graph output
  std::vector<int64_t> dims;  // of the expected tensor, batch first
  // Non-empty when the model's output has another shape than the expected tensor; the values are
  // then not compared.
  std::string shape_mismatch;
  CompareStats stats;

  bool ok() const { return shape_mismatch.empty() && stats.ok(); }
};

struct OnnxCheckResult {
  int64_t batch = 0;
  std::vector<std::string> bound_inputs;  // graph inputs whose tensors became initializers
  std::vector<OnnxOutputCheck> outputs;

  bool ok() const;
};

/// Runs the check. Throws ModelError when the model cannot be imported (the importer's message,
/// which names the node and op) and DatasetError when a tensor file is unreadable, of an
/// unsupported type, or of a shape that does not fit the model. A numerical mismatch is not an
/// error: it is in the result.
OnnxCheckResult run_onnx_check(const OnnxCheckRequest& request);

}  // namespace safsim
