// TensorProto files: the shape is checked against a bound and against the number of stored
// values before any buffer of that size is allocated, so a corrupt or hostile file fails with a
// message instead of exhausting memory.
#include "workloads/onnx_tensor.h"

#include <fmt/format.h>

#include <cstring>
#include <limits>
#include <type_traits>

#include "base/errors.h"
#include "base/input_files.h"

namespace safsim {

namespace {

std::string tensor_label(const onnx::TensorProto& t) {
  return t.name().empty() ? "tensor (unnamed)" : fmt::format("tensor '{}'", t.name());
}

[[noreturn]] void fail(const std::string& path, const onnx::TensorProto& t,
                       const std::string& what) {
  throw DatasetError(fmt::format("{}: {} {}", path, tensor_label(t), what));
}

/// The number of stored values: raw_data (little-endian, like every host safsim targets) when
/// present, else the typed field.
template <class T>
int64_t stored_count(const std::string& path, const onnx::TensorProto& t, int field_size) {
  const std::string& raw = t.raw_data();
  if (raw.empty()) {
    return field_size;
  }
  if (raw.size() % sizeof(T) != 0) {
    fail(path, t,
         fmt::format("has {} bytes of raw_data, not a whole number of {}-byte {} values",
                     raw.size(), sizeof(T), data_type_name(t.data_type())));
  }
  return static_cast<int64_t>(raw.size() / sizeof(T));
}

/// A double beyond the float range becomes an infinity of its sign (converting it directly is
/// undefined behaviour); integers always fit, if rounded.
template <class T>
float to_float(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    constexpr double kMax = std::numeric_limits<float>::max();
    if (v > kMax || v < -kMax) {
      return v > 0 ? std::numeric_limits<float>::infinity()
                   : -std::numeric_limits<float>::infinity();
    }
  }
  return static_cast<float>(v);
}

/// Converts `count` values, already checked against the shape, to floats.
template <class T, class Field>
std::vector<float> to_floats(const std::string& raw, const Field& field, int64_t count) {
  std::vector<float> out(static_cast<size_t>(count));
  if (raw.empty()) {
    for (int64_t i = 0; i < count; ++i) {
      out[i] = to_float<T>(field.Get(static_cast<int>(i)));
    }
    return out;
  }
  for (int64_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
    out[i] = to_float(v);
  }
  return out;
}

}  // namespace

std::string data_type_name(int32_t type) {
  const std::string& name = onnx::TensorProto_DataType_Name(type);
  return name.empty() ? fmt::format("{} (no ONNX data type)", type) : name;
}

std::string format_dims(const std::vector<int64_t>& dims) {
  return fmt::format("[{}]", fmt::join(dims, ", "));
}

onnx::TensorProto read_tensor_proto(const std::string& path) {
  const InputFile file = read_input_file(path);
  if (!file.problem.empty()) {
    throw DatasetError(fmt::format("{}: cannot open tensor file: {}", path, file.problem));
  }
  onnx::TensorProto t;
  if (!t.ParseFromString(file.bytes)) {
    throw DatasetError(
        fmt::format("{}: not an ONNX TensorProto (protobuf parse of its {} bytes failed)", path,
                    file.bytes.size()));
  }
  return t;
}

OnnxTensor decode_tensor_proto(const onnx::TensorProto& t, const std::string& path) {
  OnnxTensor out;
  out.name = t.name();
  out.dims.assign(t.dims().begin(), t.dims().end());
  int64_t expected = 1;
  for (int64_t d : out.dims) {
    // Divided, not multiplied, so that the product cannot overflow before it is compared.
    if (d < 0 || (d > 0 && expected > kMaxTensorFileElements / d)) {
      fail(path, t,
           fmt::format("has an implausible shape {} (more than {} elements, or a negative "
                       "dimension)",
                       format_dims(out.dims), kMaxTensorFileElements));
    }
    expected *= d;
  }
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    fail(path, t, "keeps its data in an external file; only data inside the .pb file is read");
  }
  if (t.has_segment()) {
    fail(path, t, "is a segment of a larger tensor; only whole tensors are read");
  }
  int64_t stored = 0;
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      stored = stored_count<float>(path, t, t.float_data_size());
      break;
    case onnx::TensorProto::DOUBLE:
      stored = stored_count<double>(path, t, t.double_data_size());
      break;
    case onnx::TensorProto::INT32:
      stored = stored_count<int32_t>(path, t, t.int32_data_size());
      break;
    case onnx::TensorProto::INT64:
      stored = stored_count<int64_t>(path, t, t.int64_data_size());
      break;
    default:
      fail(path, t,
           fmt::format("of shape {} has data type {}; supported: FLOAT, DOUBLE, INT32, INT64",
                       format_dims(out.dims), data_type_name(t.data_type())));
  }
  if (stored != expected) {
    fail(path, t,
         fmt::format("holds {} values but its shape {} needs {} (truncated or corrupt file)",
                     stored, format_dims(out.dims), expected));
  }
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      out.values = to_floats<float>(t.raw_data(), t.float_data(), expected);
      break;
    case onnx::TensorProto::DOUBLE:
      out.values = to_floats<double>(t.raw_data(), t.double_data(), expected);
      break;
    case onnx::TensorProto::INT32:
      out.values = to_floats<int32_t>(t.raw_data(), t.int32_data(), expected);
      break;
    default:  // INT64, the only other type the first switch let through
      out.values = to_floats<int64_t>(t.raw_data(), t.int64_data(), expected);
      break;
  }
  return out;
}

OnnxTensor read_onnx_tensor(const std::string& path) {
  return decode_tensor_proto(read_tensor_proto(path), path);
}

}  // namespace safsim
