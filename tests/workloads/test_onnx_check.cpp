// run_onnx_check on models shaped like ONNX's node tests: the weights are graph inputs given as
// tensors, the batch is fixed, and the answer is a comparison or a user error naming the file.
#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "base/errors.h"
#include "tests/support/onnx_builder.h"
#include "workloads/onnx_check.h"

namespace safsim {
namespace {

using Catch::Contains;
using test::OnnxBuilder;
using test::TempDir;

std::string write_tensor(const TempDir& dir, const std::string& file, const std::string& name,
                         const std::vector<int64_t>& dims, const std::vector<float>& v) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) {
    t.add_dims(d);
  }
  t.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
  const std::string path = dir.file(file);
  std::ofstream(path, std::ios::binary) << t.SerializeAsString();
  return path;
}

/// y = Conv(x, W) with a 1x1 kernel, W a graph input and a fixed batch of 2, as in ONNX's tests.
struct ConvTest {
  TempDir dir;
  std::string model, x, w, y;
  const std::vector<float> input = {1, 2, 3, 4, -1, -2, -3, -4};

  ConvTest() {
    OnnxBuilder b({2, 1, 2, 2});
    b.add_input("W", {1, 1, 1, 1});
    b.node("Conv", {"x", "W"}, {"y"}, "conv");
    b.output("y", {2, 1, 2, 2});
    model = b.write(dir.file("model.onnx"));
    x = write_tensor(dir, "input_0.pb", "x", {2, 1, 2, 2}, input);
    w = write_tensor(dir, "input_1.pb", "W", {1, 1, 1, 1}, {3.0f});
    y = write_tensor(dir, "output_0.pb", "y", {2, 1, 2, 2}, {3, 6, 9, 12, -3, -6, -9, -12});
  }

  OnnxCheckResult run(std::vector<std::string> inputs, const std::string& expect) const {
    OnnxCheckRequest r;
    r.model_path = model;
    r.input_paths = std::move(inputs);
    r.expect_paths = {expect};
    return run_onnx_check(r);
  }
};

template <class E, class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  FAIL("no error of the expected type thrown");
  return "";
}

TEST_CASE("the weights given as an input are bound and every batch element is run",
          "[onnx][check]") {
  const ConvTest t;
  const OnnxCheckResult r = t.run({t.x, t.w}, t.y);
  CHECK(r.ok());
  CHECK(r.batch == 2);
  CHECK(r.bound_inputs == std::vector<std::string>{"W"});
  REQUIRE(r.outputs.size() == 1);
  CHECK(r.outputs[0].name == "y");
  CHECK(r.outputs[0].stats.elements == 8);
  CHECK(r.outputs[0].stats.max_abs_error == 0.0);
  // Named tensors are matched by name, whatever their order.
  CHECK(t.run({t.w, t.x}, t.y).ok());
}

TEST_CASE("a wrong expected value is a mismatch at its multi-index", "[onnx][check]") {
  const ConvTest t;
  const std::string off =
      write_tensor(t.dir, "off.pb", "y", {2, 1, 2, 2}, {3, 6, 9, 12, -3, -6, -9.5f, -12});
  const OnnxCheckResult r = t.run({t.x, t.w}, off);
  CHECK_FALSE(r.ok());
  const CompareStats& s = r.outputs[0].stats;
  CHECK(s.mismatches == 1);
  CHECK(unravel_index(s.worst.index, r.outputs[0].dims) == std::vector<int64_t>{1, 0, 1, 0});
  CHECK(s.worst.got == -9.0);
  CHECK(s.worst.expected == -9.5);
}

TEST_CASE("an output of another shape is a mismatch, not an error", "[onnx][check]") {
  const ConvTest t;
  const std::string wide = write_tensor(t.dir, "wide.pb", "y", {2, 1, 1, 4}, std::vector<float>(8));
  const OnnxCheckResult r = t.run({t.x, t.w}, wide);
  CHECK_FALSE(r.ok());
  CHECK_THAT(r.outputs[0].shape_mismatch,
             Contains("the model computes 1 x 2 x 2 (C x H x W) per batch element; the expected "
                      "tensor is [2, 1, 1, 4]"));
}

TEST_CASE("unnamed tensors are matched to the runtime inputs by position", "[onnx][check]") {
  const ConvTest t;
  const std::string x = write_tensor(t.dir, "x.pb", "", {2, 1, 2, 2}, t.input);
  const std::string w = write_tensor(t.dir, "w.pb", "", {1, 1, 1, 1}, {3.0f});
  CHECK(t.run({x, w}, t.y).ok());
}

TEST_CASE("inputs that do not fit the model are errors naming the file and tensor",
          "[onnx][check]") {
  const ConvTest t;
  CHECK_THAT(error_of<DatasetError>([&] { t.run({t.x}, t.y); }),
             Contains("no --inputs tensor for graph input 'W'"));
  const std::string small = write_tensor(t.dir, "small.pb", "x", {2, 1, 1, 2}, {1, 2, 3, 4});
  CHECK_THAT(error_of<DatasetError>([&] {
               t.run({small, t.w}, t.y);
             }),
             Contains(small + ": tensor 'x' has shape [2, 1, 1, 2]; the model's input 'x' takes "
                              "[N, 1, 2, 2]"));
  const std::string stray = write_tensor(t.dir, "stray.pb", "z", {1}, {1});
  CHECK_THAT(error_of<DatasetError>([&] {
               t.run({t.x, t.w, stray}, t.y);
             }),
             Contains(stray + ": tensor 'z' is not an input of the model; its inputs: 'x', 'W'"));
  const std::string one = write_tensor(t.dir, "one.pb", "y", {1, 1, 2, 2}, {3, 6, 9, 12});
  CHECK_THAT(error_of<DatasetError>([&] {
               t.run({t.x, t.w}, one);
             }),
             Contains("its first dimension must be the batch of the input, 2"));
}

TEST_CASE("a second runtime operand the importer cannot fold is a model error", "[onnx][check]") {
  TempDir dir;
  OnnxBuilder b({1, 2, 1, 1});
  b.add_input("b", {1, 2, 1, 1});
  b.node("Add", {"x", "b"}, {"y"}, "add");
  b.output("y");
  OnnxCheckRequest r;
  r.model_path = b.write(dir.file("add.onnx"));
  r.input_paths = {write_tensor(dir, "x.pb", "x", {1, 2, 1, 1}, {1, 2}),
                   write_tensor(dir, "b.pb", "b", {1, 2, 1, 1}, {3, 4})};
  r.expect_paths = {write_tensor(dir, "y.pb", "y", {1, 2, 1, 1}, {4, 6})};
  const std::string msg = error_of<ModelError>([&] { run_onnx_check(r); });
  // As a constant, b is a per-channel shift with no Conv or Gemm after it to fold into.
  CHECK_THAT(msg, Contains("graph output 'y' ends in a constant scale, shift"));
  CHECK_THAT(msg, Contains("(onnx-check passed input(s) 'b' as constants)"));
}

}  // namespace
}  // namespace safsim
