// Imported models are validated, not only parsed: zero-sized or non-finite weights, outputs too
// large for the engines and pads that would overflow an int are ModelErrors naming the tensor or
// node (regression inputs of the fuzzing pass, docs/limits.md).
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "base/errors.h"
#include "tests/support/onnx_builder.h"
#include "workloads/onnx_import.h"

namespace safsim {
namespace {

using Catch::Contains;
using test::OnnxBuilder;
using test::TempDir;

std::string import_error(const OnnxBuilder& b, const TempDir& dir, const std::string& name) {
  const std::string path = b.write(dir.file(name));
  try {
    import_onnx(path);
  } catch (const ModelError& e) {
    return e.what();
  }
  FAIL("no ModelError thrown");
  return "";
}

TEST_CASE("a Conv with 0 output channels before BatchNormalization is refused, not divided by",
          "[onnx][limits]") {
  TempDir dir;
  OnnxBuilder b({-1, 1, 4, 4});
  b.init("w", {0, 1, 3, 3}, {});
  b.init("gamma", {0}, {});
  b.init("beta", {0}, {});
  b.init("mean", {0}, {});
  b.init("var", {0}, {});
  b.node("Conv", {"x", "w"}, {"c"}, "conv0");
  b.node("BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, {"y"}, "bn0");
  b.output("y");
  CHECK_THAT(import_error(b, dir, "zero_conv.onnx"),
             Contains("tensor 'w' has a zero-sized dimension [0, 1, 3, 3]"));
}

TEST_CASE("a Gemm with 0 outputs is refused", "[onnx][limits]") {
  TempDir dir;
  OnnxBuilder b({-1, 4});
  b.init("w", {0, 4}, {});
  b.node("Gemm", {"x", "w"}, {"y"}, "fc").i("transB", 1);
  b.output("y");
  CHECK_THAT(import_error(b, dir, "zero_gemm.onnx"), Contains("tensor 'w' has a zero-sized"));
}

TEST_CASE("a NaN or infinite weight is refused with the tensor and element", "[onnx][limits]") {
  TempDir dir;
  const float bad =
      GENERATE(std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity());
  OnnxBuilder b({-1, 2});
  b.init("w", {2, 2}, {0.5f, bad, 0.25f, 1.0f});
  b.node("Gemm", {"x", "w"}, {"y"}, "fc").i("transB", 1);
  b.output("y");
  const std::string msg = import_error(b, dir, "nan.onnx");
  CHECK_THAT(msg, Contains("tensor 'w' holds"));
  CHECK_THAT(msg, Contains("at element 1; weights and biases must be finite"));
}

TEST_CASE("pads of 2^24 do not overflow: the output is refused as too large", "[onnx][limits]") {
  TempDir dir;
  OnnxBuilder b({-1, 1, 4, 4});
  b.init("w", {1, 1, 1, 1}, {1.0f});
  const int64_t p = int64_t{1} << 24;
  b.node("Conv", {"x", "w"}, {"y"}, "conv0").ints("pads", {p, p, p, p});
  b.output("y");
  CHECK_THAT(import_error(b, dir, "pads.onnx"),
             Contains("is larger than the 16777216 elements per image safsim accepts"));
}

TEST_CASE("a 64k-channel Conv output is refused before any engine allocates it", "[onnx][limits]") {
  TempDir dir;
  OnnxBuilder b({-1, 1, 28, 28});
  b.init("w", {65536, 1, 1, 1}, std::vector<float>(65536, 0.5f));
  b.node("Conv", {"x", "w"}, {"y"}, "wide");
  b.output("y");
  CHECK_THAT(import_error(b, dir, "wide.onnx"), Contains("output 65536x28x28 is larger than"));
}

}  // namespace
}  // namespace safsim
