// ONNX import of every supported op, checked against hand-computed run_float outputs. Error paths
// are in test_onnx_import_errors.cpp, the zoo models in test_onnx_zoo.cpp.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "tests/support/float_checks.h"
#include "tests/support/onnx_builder.h"
#include "workloads/model.h"
#include "workloads/onnx_import.h"

namespace safsim {
namespace {

using test::OnnxBuilder;
using test::TempDir;

using test::iota;
using test::require_near;
using test::same_shape;

TEST_CASE("Conv with stride 2 and padding imports as an OIHW conv2d", "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 1, 4, 4});
  std::vector<float> w(18, 0.0f);
  for (int k = 0; k < 9; ++k) {
    w[k] = 1.0f;  // channel 0: box filter
  }
  w[9 + 4] = 1.0f;  // channel 1: the centre tap only
  b.init("w", {2, 1, 3, 3}, w);
  b.init("b", {2}, {0.0f, 0.5f});
  b.node("Conv", {"x", "w", "b"}, {"y"}, "conv")
      .ints("kernel_shape", {3, 3})
      .ints("strides", {2, 2})
      .ints("pads", {1, 1, 1, 1});
  b.output("y");
  const Model m = import_onnx(b.write(dir.file("conv.onnx")));

  REQUIRE(m.name == "conv");
  REQUIRE(same_shape(m.input_shape, 1, 4, 4));
  REQUIRE(m.layers.size() == 1);
  const Layer& l = m.layers[0];
  CHECK(l.kind == LayerKind::kConv2d);
  CHECK_FALSE(l.is_linear);
  CHECK(l.name == "conv");
  CHECK(l.onnx_op == "Conv");
  CHECK(l.inputs == std::vector<int>{-1});
  CHECK(same_shape(l.in_shape, 1, 4, 4));
  CHECK(same_shape(l.out_shape, 2, 2, 2));  // (4 + 1 + 1 - 3) / 2 + 1
  CHECK(l.geom.stride_h == 2);
  CHECK(l.geom.pad_top == 1);
  CHECK(l.geom.pad_right == 1);
  CHECK(l.weight == w);
  CHECK(m.weight_count() == 18);
  // Box sums over the image 1..16: rows/cols {0,1} -> 1+2+5+6 = 14; {0,1}x{1,2,3} -> 30;
  // {1,2,3}x{0,1} -> 57; {1,2,3}x{1,2,3} -> 99. The centre taps read pixels (0,0), (0,2),
  // (2,0), (2,2) = 1, 3, 9, 11, plus the bias 0.5.
  require_near(run_float(m, iota(16)), {14, 30, 57, 99, 1.5f, 3.5f, 9.5f, 11.5f});
}

TEST_CASE("Gemm with transB 0 and 1 imports as a linear layer with [out][in] weights", "[onnx]") {
  const int trans_b = GENERATE(0, 1);
  TempDir dir;
  OnnxBuilder b({-1, 3});
  if (trans_b == 1) {
    b.init("B", {2, 3}, {1, 2, 3, 4, 5, 6});
  } else {
    b.init("B", {3, 2}, {1, 4, 2, 5, 3, 6});
  }
  b.init("C", {2}, {0.5f, -1.0f});
  b.node("Gemm", {"x", "B", "C"}, {"y"}, "fc").i("transB", trans_b).f("alpha", 1.0f);
  b.output("y");
  const Model m = import_onnx(b.write(dir.file("gemm.onnx")));

  REQUIRE(m.layers.size() == 1);
  const Layer& l = m.layers[0];
  CHECK(l.kind == LayerKind::kConv2d);
  CHECK(l.is_linear);
  CHECK(l.geom.kernel_h == 1);
  CHECK(same_shape(l.in_shape, 3, 1, 1));
  CHECK(same_shape(l.out_shape, 2, 1, 1));
  CHECK(l.weight == std::vector<float>{1, 2, 3, 4, 5, 6});
  CHECK(l.bias == std::vector<float>{0.5f, -1.0f});
  // x = (1, 1, 2): 1 + 2 + 6 + 0.5 = 9.5 and 4 + 5 + 12 - 1 = 20.
  require_near(run_float(m, {1, 1, 2}), {9.5f, 20.0f});
}

TEST_CASE("MatMul followed by Add of a constant becomes one linear layer with a bias", "[onnx]") {
  const bool const_first = GENERATE(false, true);
  TempDir dir;
  OnnxBuilder b({1, 3});
  b.init("B", {3, 2}, {1, 4, 2, 5, 3, 6});
  b.init("c", {2}, {0.5f, -1.0f});
  b.node("MatMul", {"x", "B"}, {"mm"}, "fc/MatMul");
  b.node("Add",
         const_first ? std::vector<std::string>{"c", "mm"} : std::vector<std::string>{"mm", "c"},
         {"y"}, "fc/Add");
  b.output("y");
  const Model m = import_onnx(b.write(dir.file("matmul.onnx")));

  REQUIRE(m.layers.size() == 1);
  CHECK(m.layers[0].is_linear);
  CHECK(m.layers[0].onnx_op == "MatMul");
  CHECK(m.layers[0].weight == std::vector<float>{1, 2, 3, 4, 5, 6});
  CHECK(m.layers[0].bias == std::vector<float>{0.5f, -1.0f});
  require_near(run_float(m, {1, 1, 2}), {9.5f, 20.0f});
}

TEST_CASE("Relu and Sigmoid are element-wise layers, activations holds every output", "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 4});
  b.node("Relu", {"x"}, {"r"});
  b.node("Sigmoid", {"r"}, {"y"});
  b.output("y");
  const Model m = import_onnx(b.write(dir.file("act.onnx")));

  REQUIRE(m.layers.size() == 2);
  CHECK(m.layers[0].kind == LayerKind::kRelu);
  CHECK(m.layers[0].name == "Relu_0");  // generated from the op and the node index
  CHECK(m.layers[1].kind == LayerKind::kSigmoid);
  CHECK(m.layers[1].inputs == std::vector<int>{0});
  std::vector<std::vector<float>> acts;
  const std::vector<float> y = run_float(m, {-2.0f, -0.5f, 0.0f, 3.0f}, &acts);
  REQUIRE(acts.size() == 2);
  require_near(acts[0], {0, 0, 0, 3});
  // sigmoid(0) = 0.5, sigmoid(3) = 1 / (1 + e^-3) = 0.9525741.
  require_near(y, {0.5f, 0.5f, 0.5f, 0.9525741f});
  CHECK(acts[1] == y);
}

TEST_CASE("MaxPool takes window maxima and never picks the padding", "[onnx]") {
  TempDir dir;
  SECTION("2x2 stride 2 on 1..16") {
    OnnxBuilder b({-1, 1, 4, 4});
    b.node("MaxPool", {"x"}, {"y"}).ints("kernel_shape", {2, 2}).ints("strides", {2, 2});
    b.output("y");
    const Model m = import_onnx(b.write(dir.file("maxpool.onnx")));
    REQUIRE(m.layers.size() == 1);
    CHECK(m.layers[0].kind == LayerKind::kMaxPool);
    CHECK(same_shape(m.layers[0].out_shape, 1, 2, 2));
    require_near(run_float(m, iota(16)), {6, 8, 14, 16});
  }
  SECTION("2x2 stride 2 pad 1 on -1..-16: a zero pad would win every border window") {
    OnnxBuilder b({-1, 1, 4, 4});
    b.node("MaxPool", {"x"}, {"y"})
        .ints("kernel_shape", {2, 2})
        .ints("strides", {2, 2})
        .ints("pads", {1, 1, 1, 1});
    b.output("y");
    const Model m = import_onnx(b.write(dir.file("maxpool_pad.onnx")));
    CHECK(same_shape(m.layers[0].out_shape, 1, 3, 3));  // (4 + 2 - 2) / 2 + 1
    std::vector<float> x = iota(16);
    for (float& v : x) {
      v = -v;
    }
    // Windows rows {-1,0},{1,2},{3,4} x cols likewise, clipped to the image.
    require_near(run_float(m, x), {-1, -2, -4, -5, -6, -8, -13, -14, -16});
  }
}

TEST_CASE("AveragePool divides by the window on the image unless count_include_pad", "[onnx]") {
  const int include_pad = GENERATE(0, 1);
  TempDir dir;
  OnnxBuilder b({-1, 1, 4, 4});
  b.node("AveragePool", {"x"}, {"y"})
      .ints("kernel_shape", {3, 3})
      .ints("strides", {2, 2})
      .ints("pads", {1, 1, 1, 1})
      .i("count_include_pad", include_pad);
  b.output("y");
  const Model m = import_onnx(b.write(dir.file("avgpool.onnx")));
  REQUIRE(m.layers.size() == 1);
  CHECK(m.layers[0].kind == LayerKind::kAvgPool);
  CHECK(m.layers[0].geom.count_include_pad == (include_pad == 1));
  // Window sums 14, 30, 57, 99 (see the Conv test) over 4, 6, 6, 9 pixels of the image.
  if (include_pad == 1) {
    require_near(run_float(m, iota(16)), {14.0f / 9, 30.0f / 9, 57.0f / 9, 11.0f});
  } else {
    require_near(run_float(m, iota(16)), {3.5f, 5.0f, 9.5f, 11.0f});
  }
}

TEST_CASE("GlobalAveragePool then Flatten gives per-channel means as a vector", "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 2, 2, 2});
  b.node("GlobalAveragePool", {"x"}, {"g"});
  b.node("Flatten", {"g"}, {"y"}).i("axis", 1);
  b.output("y");
  const Model m = import_onnx(b.write(dir.file("gap.onnx")));
  REQUIRE(m.layers.size() == 1);  // flattening C x 1 x 1 moves no data: a rename
  CHECK(m.layers[0].kind == LayerKind::kGlobalAvgPool);
  CHECK(same_shape(m.layers[0].out_shape, 2, 1, 1));
  require_near(run_float(m, iota(8)), {2.5f, 6.5f});  // means of 1..4 and 5..8
}

TEST_CASE("Flatten and flattening Reshapes feed a Gemm", "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 1, 2, 2});
  std::string op;
  SECTION("Flatten") {
    op = "Flatten";
    b.node("Flatten", {"x"}, {"f"});
  }
  SECTION("Reshape to [1, -1] from an initializer") {
    op = "Reshape";
    b.init_i64("shape", {2}, {1, -1});
    b.node("Reshape", {"x", "shape"}, {"f"});
  }
  SECTION("Reshape to [-1, 4] from a Constant node") {
    op = "Reshape";
    b.node("Constant", {}, {"shape"}).tensor_i64("value", {2}, {-1, 4});
    b.node("Reshape", {"x", "shape"}, {"f"});
  }
  SECTION("Reshape to [0, -1] (copy the batch)") {
    op = "Reshape";
    b.node("Constant", {}, {"shape"}).tensor_i64("value", {2}, {0, -1});
    b.node("Reshape", {"x", "shape"}, {"f"});
  }
  b.init("B", {1, 4}, {1, 10, 100, 1000});
  b.node("Gemm", {"f", "B"}, {"y"}).i("transB", 1);
  b.output("y");
  const Model m = import_onnx(b.write(dir.file("flatten.onnx")));
  REQUIRE(m.layers.size() == 2);
  CHECK(m.layers[0].kind == LayerKind::kFlatten);
  CHECK(m.layers[0].onnx_op == op);
  CHECK(same_shape(m.layers[0].out_shape, 4, 1, 1));
  CHECK(same_shape(m.layers[1].in_shape, 4, 1, 1));
  require_near(run_float(m, iota(4)), {4321.0f});  // CHW order is the flattened order
}

TEST_CASE("Residual Add of two tensors reads both producers", "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 1, 2, 2});
  b.node("Relu", {"x"}, {"r"});
  b.node("Add", {"x", "r"}, {"y"}, "residual");
  b.output("y");
  const Model m = import_onnx(b.write(dir.file("residual.onnx")));
  REQUIRE(m.layers.size() == 2);
  CHECK(m.layers[1].kind == LayerKind::kAdd);
  CHECK(m.layers[1].inputs == std::vector<int>{-1, 0});
  require_near(run_float(m, {-1, 2, -3, 4}), {-1, 4, -3, 8});
}

/// Direct conv definition, independent of run_float's loop order: the hand computation.
std::vector<double> reference_conv(const std::vector<float>& x, int c_in, int h, int w,
                                   const std::vector<float>& wt, int c_out, int k, int stride_h,
                                   int stride_w, int pad_top, int pad_left, int out_h, int out_w) {
  std::vector<double> y(c_out * out_h * out_w, 0.0);
  for (int o = 0; o < c_out; ++o) {
    for (int oy = 0; oy < out_h; ++oy) {
      for (int ox = 0; ox < out_w; ++ox) {
        double acc = 0.0;
        for (int c = 0; c < c_in; ++c) {
          for (int ky = 0; ky < k; ++ky) {
            for (int kx = 0; kx < k; ++kx) {
              const int iy = oy * stride_h - pad_top + ky;
              const int ix = ox * stride_w - pad_left + kx;
              if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                acc += double{wt[((o * c_in + c) * k + ky) * k + kx]} * x[(c * h + iy) * w + ix];
              }
            }
          }
        }
        y[(o * out_h + oy) * out_w + ox] = acc;
      }
    }
  }
  return y;
}

TEST_CASE("BatchNormalization is folded into the Conv before it", "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 2, 5, 5});
  std::vector<float> w(3 * 2 * 3 * 3);
  for (size_t i = 0; i < w.size(); ++i) {
    w[i] = static_cast<float>(std::sin(0.7 * i));
  }
  const std::vector<float> bias = {0.1f, -0.2f, 0.3f};
  const std::vector<float> gamma = {1.5f, -0.5f, 2.0f}, beta = {0.25f, 0.0f, -1.0f};
  const std::vector<float> mean = {0.5f, -1.0f, 2.0f}, var = {4.0f, 0.25f, 1.0f};
  const float eps = 1e-3f;
  b.init("w", {3, 2, 3, 3}, w);
  b.init("b", {3}, bias);
  b.init("gamma", {3}, gamma);
  b.init("beta", {3}, beta);
  b.init("mean", {3}, mean);
  b.init("var", {3}, var);
  // Stride 2x1 and asymmetric pads: out (5 + 1 + 1 - 3) / 2 + 1 = 3 by (5 + 0 + 1 - 3) + 1 = 4.
  b.node("Conv", {"x", "w", "b"}, {"c"}, "conv1")
      .ints("strides", {2, 1})
      .ints("pads", {1, 0, 1, 1});
  b.node("BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, {"y"}, "bn1")
      .f("epsilon", eps)
      .f("momentum", 0.9f);
  b.output("y");
  const Model m = import_onnx(b.write(dir.file("bn.onnx")));

  REQUIRE(m.layers.size() == 1);
  CHECK(m.layers[0].name == "conv1");
  CHECK(same_shape(m.layers[0].out_shape, 3, 3, 4));
  std::vector<float> x = iota(50, -10.0f);
  for (float& v : x) {
    v *= 0.1f;  // -1.0 .. 3.9
  }
  const std::vector<double> conv = reference_conv(x, 2, 5, 5, w, 3, 3, 2, 1, 1, 0, 3, 4);
  std::vector<float> want(conv.size());
  for (int o = 0; o < 3; ++o) {
    for (int i = 0; i < 12; ++i) {
      const double pre = conv[o * 12 + i] + bias[o];
      want[o * 12 + i] =
          static_cast<float>((pre - mean[o]) * gamma[o] / std::sqrt(var[o] + eps) + beta[o]);
    }
  }
  require_near(run_float(m, x), want, 1e-5);
}

TEST_CASE("Identity and Dropout vanish, also on initializers", "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 3});
  b.init("w0", {2, 3}, {1, 2, 3, 4, 5, 6});
  b.init("ratio", {}, {0.5f});
  b.node("Identity", {"x"}, {"a"});
  b.node("Relu", {"a"}, {"r"});
  b.node("Dropout", {"r", "ratio"}, {"d", "mask"});
  b.node("Identity", {"w0"}, {"w"});
  b.node("Gemm", {"d", "w"}, {"y"}).i("transB", 1);
  b.output("y");
  const Model m = import_onnx(b.write(dir.file("identity.onnx")));
  REQUIRE(m.layers.size() == 2);
  CHECK(m.layers[0].kind == LayerKind::kRelu);
  CHECK(m.layers[0].inputs == std::vector<int>{-1});
  CHECK(m.layers[1].inputs == std::vector<int>{0});
  CHECK(m.layers[1].bias == std::vector<float>{0, 0});
  require_near(run_float(m, {1, -1, 2}), {7, 16});  // relu -> (1, 0, 2)
}

TEST_CASE("Initializers listed as graph inputs and dead branches are ignored", "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 2});
  b.init("B", {2, 1}, {1, 1});
  b.add_input("B", {2, 1});  // keep_initializers_as_inputs=True
  b.node("Sigmoid", {"x"}, {"unused"});
  b.node("MatMul", {"x", "B"}, {"y"});
  b.output("y");
  const Model m = import_onnx(b.write(dir.file("dead.onnx")));
  REQUIRE(m.layers.size() == 1);
  CHECK(m.layers[0].is_linear);
  CHECK(m.layers[0].inputs == std::vector<int>{-1});
  require_near(run_float(m, {2, 3}), {5});
}

TEST_CASE("to_string names every LayerKind", "[onnx]") {
  CHECK(std::string(to_string(LayerKind::kConv2d)) == "conv2d");
  CHECK(std::string(to_string(LayerKind::kGlobalAvgPool)) == "global_avg_pool");
  CHECK(std::string(to_string(LayerKind::kAdd)) == "add");
}

}  // namespace
}  // namespace safsim
