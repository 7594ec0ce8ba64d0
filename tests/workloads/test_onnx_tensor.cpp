// The TensorProto file reader of `safsim onnx-check`: every accepted encoding gives the same
// floats, and a truncated, corrupt or implausible file is a DatasetError naming the file and the
// tensor, raised before a buffer of the claimed size exists.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "base/errors.h"
#include "tests/support/onnx_builder.h"
#include "workloads/onnx_tensor.h"

namespace safsim {
namespace {

using Catch::Contains;
using test::TempDir;

onnx::TensorProto tensor(const std::string& name, const std::vector<int64_t>& dims,
                         onnx::TensorProto::DataType type) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(type);
  for (int64_t d : dims) {
    t.add_dims(d);
  }
  return t;
}

template <class T>
std::string raw_bytes(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

std::string write_bytes(const TempDir& dir, const std::string& name, const std::string& bytes) {
  const std::string path = dir.file(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string write(const TempDir& dir, const std::string& name, const onnx::TensorProto& t) {
  return write_bytes(dir, name, t.SerializeAsString());
}

/// The message of the DatasetError that reading `path` throws.
std::string read_error(const std::string& path) {
  try {
    read_onnx_tensor(path);
  } catch (const DatasetError& e) {
    return e.what();
  }
  FAIL("no DatasetError thrown");
  return "";
}

TEST_CASE("a float tensor reads alike from raw_data and from float_data", "[onnx][tensor]") {
  TempDir dir;
  const std::vector<float> v = {1.5f, -2.0f, 0.25f, 3.0f, -0.0f, 7.0f};
  onnx::TensorProto raw = tensor("x", {1, 2, 3}, onnx::TensorProto::FLOAT);
  raw.set_raw_data(raw_bytes(v));
  onnx::TensorProto typed = tensor("x", {1, 2, 3}, onnx::TensorProto::FLOAT);
  for (float f : v) {
    typed.add_float_data(f);
  }
  for (const auto& t : {raw, typed}) {
    const OnnxTensor r = read_onnx_tensor(write(dir, "x.pb", t));
    CHECK(r.name == "x");
    CHECK(r.dims == std::vector<int64_t>{1, 2, 3});
    CHECK(r.values == v);
  }
}

TEST_CASE("DOUBLE, INT32 and INT64 tensors are converted to floats", "[onnx][tensor]") {
  TempDir dir;
  onnx::TensorProto d = tensor("d", {2}, onnx::TensorProto::DOUBLE);
  d.set_raw_data(raw_bytes(std::vector<double>{0.5, -1e3}));
  CHECK(read_onnx_tensor(write(dir, "d.pb", d)).values == std::vector<float>{0.5f, -1000.0f});

  onnx::TensorProto big = tensor("d", {2}, onnx::TensorProto::DOUBLE);
  big.set_raw_data(raw_bytes(std::vector<double>{1e300, -1e300}));  // beyond float: infinities
  CHECK(read_onnx_tensor(write(dir, "big.pb", big)).values ==
        std::vector<float>{INFINITY, -INFINITY});

  onnx::TensorProto dt = tensor("d", {2}, onnx::TensorProto::DOUBLE);
  dt.add_double_data(2.0);
  dt.add_double_data(-3.5);
  CHECK(read_onnx_tensor(write(dir, "dt.pb", dt)).values == std::vector<float>{2.0f, -3.5f});

  onnx::TensorProto i32 = tensor("i", {3}, onnx::TensorProto::INT32);
  i32.set_raw_data(raw_bytes(std::vector<int32_t>{-7, 0, 42}));
  CHECK(read_onnx_tensor(write(dir, "i32.pb", i32)).values == std::vector<float>{-7, 0, 42});

  onnx::TensorProto i64 = tensor("shape", {2}, onnx::TensorProto::INT64);
  i64.add_int64_data(1);
  i64.add_int64_data(-1);
  const OnnxTensor r = read_onnx_tensor(write(dir, "i64.pb", i64));
  CHECK(r.values == std::vector<float>{1.0f, -1.0f});
  CHECK(r.dims == std::vector<int64_t>{2});
}

TEST_CASE("a scalar has no dims and one value, an empty tensor no values", "[onnx][tensor]") {
  TempDir dir;
  onnx::TensorProto s = tensor("s", {}, onnx::TensorProto::FLOAT);
  s.add_float_data(4.0f);
  const OnnxTensor r = read_onnx_tensor(write(dir, "s.pb", s));
  CHECK(r.dims.empty());
  CHECK(r.values == std::vector<float>{4.0f});
  CHECK(read_onnx_tensor(write(dir, "e.pb", tensor("e", {0, 3}, onnx::TensorProto::FLOAT)))
            .values.empty());
}

TEST_CASE("NaN and infinities are read as they are", "[onnx][tensor]") {
  TempDir dir;
  onnx::TensorProto t = tensor("x", {2}, onnx::TensorProto::FLOAT);
  t.set_raw_data(raw_bytes(std::vector<float>{std::nanf(""), -INFINITY}));
  const OnnxTensor r = read_onnx_tensor(write(dir, "x.pb", t));
  CHECK(std::isnan(r.values[0]));
  CHECK(r.values[1] == -INFINITY);
}

TEST_CASE("a truncated file is refused with its path", "[onnx][tensor]") {
  TempDir dir;
  onnx::TensorProto t = tensor("x", {1, 3, 8, 8}, onnx::TensorProto::FLOAT);
  t.set_raw_data(raw_bytes(std::vector<float>(192, 1.0f)));
  const std::string bytes = t.SerializeAsString();
  // Cut inside raw_data: the length-delimited field runs past the end of the file.
  const std::string cut = write_bytes(dir, "cut.pb", bytes.substr(0, bytes.size() / 2));
  CHECK_THAT(read_error(cut), Contains(cut + ": not an ONNX TensorProto (protobuf parse of its"));
}

TEST_CASE("a value count that does not match the shape is refused", "[onnx][tensor]") {
  TempDir dir;
  onnx::TensorProto t = tensor("x", {2, 2}, onnx::TensorProto::FLOAT);
  t.set_raw_data(raw_bytes(std::vector<float>{1, 2, 3}));
  const std::string path = write(dir, "short.pb", t);
  CHECK_THAT(read_error(path),
             Contains(path + ": tensor 'x' holds 3 values but its shape [2, 2] needs 4"));

  t.set_raw_data(std::string(10, '\0'));  // 2.5 floats
  CHECK_THAT(read_error(write(dir, "odd.pb", t)),
             Contains("has 10 bytes of raw_data, not a whole number of 4-byte FLOAT values"));

  onnx::TensorProto typed = tensor("y", {3}, onnx::TensorProto::INT64);
  typed.add_int64_data(1);
  CHECK_THAT(read_error(write(dir, "typed.pb", typed)),
             Contains("tensor 'y' holds 1 values but its shape [3] needs 3"));
}

TEST_CASE("an implausible shape is refused before anything is allocated", "[onnx][tensor]") {
  TempDir dir;
  // 2^40 x 2^40 floats: multiplying the dims would overflow, allocating them would not finish.
  onnx::TensorProto huge =
      tensor("x", {int64_t{1} << 40, int64_t{1} << 40}, onnx::TensorProto::FLOAT);
  CHECK_THAT(read_error(write(dir, "huge.pb", huge)),
             Contains("tensor 'x' has an implausible shape [1099511627776, 1099511627776]"));
  // Just over the bound, from dims that fit an int each.
  onnx::TensorProto big = tensor("x", {1 << 15, 1 << 14}, onnx::TensorProto::FLOAT);
  CHECK_THAT(read_error(write(dir, "big.pb", big)), Contains("implausible shape [32768, 16384]"));
  onnx::TensorProto negative = tensor("x", {1, -3}, onnx::TensorProto::FLOAT);
  CHECK_THAT(read_error(write(dir, "neg.pb", negative)), Contains("implausible shape [1, -3]"));
}

TEST_CASE("other data types, external data and segments are refused by name", "[onnx][tensor]") {
  TempDir dir;
  onnx::TensorProto u8 = tensor("x", {1, 1, 2, 2}, onnx::TensorProto::UINT8);
  u8.set_raw_data(std::string(4, '\1'));
  CHECK_THAT(read_error(write(dir, "u8.pb", u8)),
             Contains("tensor 'x' of shape [1, 1, 2, 2] has data type UINT8; supported: FLOAT, "
                      "DOUBLE, INT32, INT64"));
  CHECK_THAT(read_error(write(dir, "none.pb", onnx::TensorProto())),
             Contains("tensor (unnamed) of shape [] has data type UNDEFINED"));

  onnx::TensorProto ext = tensor("w", {2}, onnx::TensorProto::FLOAT);
  ext.set_data_location(onnx::TensorProto::EXTERNAL);
  CHECK_THAT(read_error(write(dir, "ext.pb", ext)),
             Contains("tensor 'w' keeps its data in an external file"));

  onnx::TensorProto seg = tensor("s", {2}, onnx::TensorProto::FLOAT);
  seg.mutable_segment()->set_begin(0);
  CHECK_THAT(read_error(write(dir, "seg.pb", seg)), Contains("is a segment of a larger tensor"));
}

TEST_CASE("a missing file or a directory is refused with the reason", "[onnx][tensor]") {
  TempDir dir;
  CHECK_THAT(
      read_error(dir.file("absent.pb")),
      Contains(dir.file("absent.pb") + ": cannot open tensor file: No such file or directory"));
  CHECK_THAT(read_error(dir.path()), Contains(": cannot open tensor file: is a directory"));
}

TEST_CASE("a data type number ONNX does not define is named by its number", "[onnx][tensor]") {
  // Protobuf names such a number with an empty string ("has data type ; supported: ...").
  CHECK(data_type_name(onnx::TensorProto::FLOAT) == "FLOAT");
  CHECK(data_type_name(65536) == "65536 (no ONNX data type)");
  TempDir dir;
  onnx::TensorProto t = tensor("x", {1}, onnx::TensorProto::FLOAT);
  t.set_data_type(65536);
  CHECK_THAT(read_error(write(dir, "t.pb", t)),
             Contains("has data type 65536 (no ONNX data type)"));
}

}  // namespace
}  // namespace safsim
