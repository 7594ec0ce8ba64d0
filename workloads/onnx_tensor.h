// Reading one ONNX TensorProto file (the `input_0.pb` / `output_0.pb` of ONNX's backend test
// data) into floats, for `safsim onnx-check`.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace safsim {

/// Elements of one tensor read from a file (1 GiB of floats): a larger dims product is refused
/// before anything is allocated, so a corrupt header cannot exhaust memory.
constexpr int64_t kMaxTensorFileElements = int64_t{1} << 28;

/// A tensor as floats, row-major over `dims` (empty dims: a scalar).
struct OnnxTensor {
  std::string name;  // as stored in the file; may be empty
  std::vector<int64_t> dims;
  std::vector<float> values;
  int64_t size() const { return static_cast<int64_t>(values.size()); }
};

/// Reads and parses a TensorProto file. Throws DatasetError naming the file for an unreadable
/// file or bytes that are not a TensorProto.
onnx::TensorProto read_tensor_proto(const std::string& path);

/// The tensor's values as floats: FLOAT and DOUBLE, INT32 and INT64 converted, from raw_data or
/// the typed field. Throws DatasetError naming `path`, the tensor and its shape for any other
/// data type, external data, an implausible shape or a value count that does not match it.
OnnxTensor decode_tensor_proto(const onnx::TensorProto& t, const std::string& path);

/// read_tensor_proto + decode_tensor_proto:
///   OnnxTensor x = read_onnx_tensor("test_data_set_0/input_0.pb");
OnnxTensor read_onnx_tensor(const std::string& path);

/// "FLOAT", or "17 (no ONNX data type)" for a number TensorProto does not define, for messages
/// (protobuf's own name of such a number is empty).
std::string data_type_name(int32_t type);

/// "[1, 3, 32, 32]", for messages.
std::string format_dims(const std::vector<int64_t>& dims);

}  // namespace safsim
