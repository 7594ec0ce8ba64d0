// ONNX import of the idioms the standard CNN families export (docs/models.md): the dynamic-batch
// flatten of x.view(x.size(0), -1), an in-graph input normalization, the ShuffleNet channel
// shuffle, Split + Concat, an output Softmax, ReLU6 and LeakyReLU, depthwise and dilated
// convolutions. Each case checks run_float against values worked out by hand in the test.
#include <catch2/catch.hpp>
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

TEST_CASE("x.view(x.size(0), -1) with a dynamic batch folds to a flatten before the Gemm",
          "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 1, 3, 3});
  // Channel 0 sums each 2x2 window; channel 1 reads its bottom-right pixel minus 6, so that the
  // Relu zeroes two of its values and the flattened order shows in the Gemm's result.
  b.init("w", {2, 1, 2, 2}, {1, 1, 1, 1, 0, 0, 0, 1});
  b.init("b", {2}, {0.0f, -6.0f});
  b.node("Conv", {"x", "w", "b"}, {"c"}, "conv");
  b.node("Relu", {"c"}, {"r"}, "relu");
  // The subgraph torch.onnx.export writes at opset 13: the batch size is read from the tensor's
  // shape, and Unsqueeze takes its axes as an input.
  b.node("Shape", {"r"}, {"shape"});
  b.node("Constant", {}, {"zero"}).tensor_i64("value", {}, {0});
  b.node("Gather", {"shape", "zero"}, {"batch"}).i("axis", 0);
  b.node("Constant", {}, {"axes"}).tensor_i64("value", {1}, {0});
  b.node("Unsqueeze", {"batch", "axes"}, {"batch1"});
  b.node("Constant", {}, {"minus_one"}).tensor_i64("value", {1}, {-1});
  b.node("Concat", {"batch1", "minus_one"}, {"view_shape"}).i("axis", 0);
  b.node("Reshape", {"r", "view_shape"}, {"f"}, "view");
  b.init("B", {2, 8}, {1, 2, 3, 4, 5, 6, 7, 8, 1, -1, 0, 0, 0, 0, 10, 100});
  b.init("C", {2}, {0.5f, -0.5f});
  b.node("Gemm", {"f", "B", "C"}, {"y"}, "fc").i("transB", 1);
  b.output("y");
  const Model m = import_onnx(b.write(dir.file("view.onnx")));

  // The shape arithmetic leaves no layer of its own.
  REQUIRE(m.layers.size() == 4);
  CHECK(m.layers[0].kind == LayerKind::kConv2d);
  CHECK_FALSE(m.layers[0].is_linear);
  CHECK(m.layers[1].kind == LayerKind::kRelu);
  CHECK(m.layers[2].kind == LayerKind::kFlatten);
  CHECK(m.layers[2].onnx_op == "Reshape");
  CHECK(m.layers[2].inputs == std::vector<int>{1});
  CHECK(same_shape(m.layers[2].in_shape, 2, 2, 2));
  CHECK(same_shape(m.layers[2].out_shape, 8, 1, 1));
  CHECK(m.layers[3].kind == LayerKind::kConv2d);
  CHECK(m.layers[3].is_linear);
  CHECK(m.layers[3].inputs == std::vector<int>{2});
  // On the image 1..9: channel 0 = window sums 12, 16, 24, 28; channel 1 = 5, 6, 8, 9 minus 6,
  // after the Relu 0, 0, 2, 3. Flattened in CHW order (12, 16, 24, 28, 0, 0, 2, 3):
  //   row 0: 12 + 32 + 72 + 112 + 14 + 24 + 0.5 = 266.5
  //   row 1: 12 - 16 + 20 + 300 - 0.5 = 315.5
  std::vector<std::vector<float>> acts;
  const std::vector<float> y = run_float(m, iota(9), &acts);
  REQUIRE(acts.size() == 4);
  require_near(acts[2], {12, 16, 24, 28, 0, 0, 2, 3});
  require_near(y, {266.5f, 315.5f});
}

/// A stride-1 convolution by its definition, in double, with zero padding: the hand computation.
std::vector<double> reference_conv(const std::vector<double>& x, int c_in, int h, int w,
                                   const std::vector<float>& wt, const std::vector<float>& bias,
                                   int k, int pad) {
  const int c_out = static_cast<int>(bias.size());
  const int out_h = h + 2 * pad - k + 1, out_w = w + 2 * pad - k + 1;
  std::vector<double> y(size_t(c_out) * out_h * out_w);
  for (int o = 0; o < c_out; ++o) {
    for (int oy = 0; oy < out_h; ++oy) {
      for (int ox = 0; ox < out_w; ++ox) {
        double acc = bias[size_t(o)];
        for (int c = 0; c < c_in; ++c) {
          for (int ky = 0; ky < k; ++ky) {
            for (int kx = 0; kx < k; ++kx) {
              const int iy = oy - pad + ky, ix = ox - pad + kx;
              if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                acc += double{wt[size_t(((o * c_in + c) * k + ky) * k + kx)]} *
                       x[size_t((c * h + iy) * w + ix)];
              }
            }
          }
        }
        y[size_t((o * out_h + oy) * out_w + ox)] = acc;
      }
    }
  }
  return y;
}

TEST_CASE("(x - mean) / std before a padded Conv folds into it and pads the raw input with mean",
          "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 2, 3, 3});
  const std::vector<float> mean = {0.485f, 0.456f}, std_dev = {0.229f, 0.224f};
  b.init("mean", {1, 2, 1, 1}, mean);
  b.init("std", {1, 2, 1, 1}, std_dev);
  std::vector<float> w(2 * 2 * 3 * 3);
  for (size_t i = 0; i < w.size(); ++i) {
    w[i] = 0.1f * static_cast<float>(int(i % 7) - 3);  // -0.3 .. 0.3
  }
  const std::vector<float> bias = {0.1f, -0.2f};
  b.init("w", {2, 2, 3, 3}, w);
  b.init("b", {2}, bias);
  b.node("Sub", {"x", "mean"}, {"centred"}, "normalize/Sub");
  b.node("Div", {"centred", "std"}, {"n"}, "normalize/Div");
  b.node("Conv", {"n", "w", "b"}, {"y"}, "conv1").ints("pads", {1, 1, 1, 1});
  b.output("y");
  const Model m = import_onnx(b.write(dir.file("normalize.onnx")));

  REQUIRE(m.layers.size() == 1);
  const Layer& l = m.layers[0];
  CHECK(l.kind == LayerKind::kConv2d);
  CHECK(l.name == "conv1");
  CHECK(l.inputs == std::vector<int>{-1});
  CHECK(same_shape(l.out_shape, 2, 3, 3));
  // Padding the raw input with the mean is what normalizes to the 0 that ONNX pads with.
  REQUIRE(l.pad_value.size() == 2);
  CHECK(l.pad_value[0] == Approx(mean[0]).margin(1e-6));
  CHECK(l.pad_value[1] == Approx(mean[1]).margin(1e-6));

  std::vector<float> x(18);
  std::vector<double> normalized(18);
  for (int i = 0; i < 18; ++i) {
    x[size_t(i)] = static_cast<float>((i * 5) % 18) / 17.0f;  // pixels in [0, 1]
    const int c = i / 9;
    normalized[size_t(i)] = (double{x[size_t(i)]} - mean[size_t(c)]) / std_dev[size_t(c)];
  }
  // ONNX semantics: the Conv pads the normalized tensor with zeros. A raw zero pad would stand
  // for -mean / std (about -2) on every border tap and move the border outputs by far more than
  // the tolerance.
  const std::vector<double> conv = reference_conv(normalized, 2, 3, 3, w, bias, 3, 1);
  std::vector<float> want(conv.begin(), conv.end());
  require_near(run_float(m, x), want, 2e-5);
}

TEST_CASE("The ShuffleNet channel shuffle becomes one channel gather", "[onnx]") {
  // ShuffleNet's channel_shuffle(x, groups): view as N x groups x C/groups x H x W, swap the two
  // channel axes, view back. Two channels per group; three groups tell the direction of the
  // permutation apart from its inverse (with two groups both are 0, 2, 1, 3).
  const int groups = GENERATE(2, 3);
  const int channels = 2 * groups;
  TempDir dir;
  OnnxBuilder b({-1, 1, 2, 2});
  std::vector<float> w(static_cast<size_t>(channels));
  float scale = 1.0f;
  for (float& v : w) {
    v = scale;  // channel k of the Conv is 10^k times the image
    scale *= 10.0f;
  }
  b.init("w", {channels, 1, 1, 1}, w);
  b.node("Conv", {"x", "w"}, {"c"}, "conv");
  b.init_i64("split_shape", {5}, {-1, groups, 2, 2, 2});
  b.node("Reshape", {"c", "split_shape"}, {"g"});
  b.node("Transpose", {"g"}, {"t"}).ints("perm", {0, 2, 1, 3, 4});
  b.init_i64("merge_shape", {4}, {-1, channels, 2, 2});
  b.node("Reshape", {"t", "merge_shape"}, {"y"}, "shuffle");
  b.output("y");
  const Model m = import_onnx(b.write(dir.file("shuffle.onnx")));

  // Output channel i * groups + j is Conv channel j * 2 + i.
  const std::vector<int> order =
      groups == 2 ? std::vector<int>{0, 2, 1, 3} : std::vector<int>{0, 2, 4, 1, 3, 5};
  REQUIRE(m.layers.size() == 2);
  const Layer& l = m.layers[1];
  CHECK(l.kind == LayerKind::kConcat);
  CHECK(l.name == "shuffle");
  CHECK(l.inputs == std::vector<int>{0});
  CHECK(same_shape(l.out_shape, channels, 2, 2));
  std::vector<ChannelSource> map;
  for (int c : order) {
    map.push_back({0, c});
  }
  CHECK(l.channel_map == map);
  std::vector<float> want;
  for (int c : order) {
    for (float px : {1.0f, 2.0f, 3.0f, 4.0f}) {
      want.push_back(px * w[size_t(c)]);
    }
  }
  require_near(run_float(m, {1, 2, 3, 4}), want);
}

// Both parts are used: each output of the Split is its own layer.
TEST_CASE("Split with sizes as an input, then Concat of the parts swapped, rotates channels",
          "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 4, 1, 2});
  b.init_i64("sizes", {2}, {1, 3});
  b.node("Split", {"x", "sizes"}, {"first", "rest"}, "split").i("axis", 1);
  b.node("Concat", {"rest", "first"}, {"y"}, "concat").i("axis", 1);
  b.output("y");
  const Model m = import_onnx(b.write(dir.file("split.onnx")));

  REQUIRE_FALSE(m.layers.empty());
  const Layer& out = m.output();
  CHECK(out.kind == LayerKind::kConcat);
  CHECK(out.name == "concat");
  CHECK(same_shape(out.out_shape, 4, 1, 2));
  // Channel c of the image holds 2c + 1, 2c + 2; the result is channels 1, 2, 3, 0.
  require_near(run_float(m, iota(8)), {3, 4, 5, 6, 7, 8, 1, 2});
}

TEST_CASE("A Softmax or LogSoftmax after the last Gemm is dropped: the output is the logits",
          "[onnx]") {
  const std::string op = GENERATE(as<std::string>{}, "Softmax", "LogSoftmax");
  // PyTorch writes axis = 1 for dim=1; the opset-13 default -1 is the same axis of N x classes.
  const bool explicit_axis = GENERATE(false, true);
  TempDir dir;
  OnnxBuilder b({-1, 3});
  b.init("B", {2, 3}, {1, 2, 3, 4, 5, 6});
  b.init("C", {2}, {0.5f, -1.0f});
  b.node("Gemm", {"x", "B", "C"}, {"logits"}, "fc").i("transB", 1);
  auto n = b.node(op, {"logits"}, {"y"}, "prob");
  if (explicit_axis) {
    n.i("axis", 1);
  }
  b.output("y");
  const Model m = import_onnx(b.write(dir.file("softmax.onnx")));

  REQUIRE(m.layers.size() == 1);
  CHECK(m.layers[0].name == "fc");
  CHECK(m.layers[0].is_linear);
  // x = (1, 1, 2): 1 + 2 + 6 + 0.5 = 9.5 and 4 + 5 + 12 - 1 = 20. Softmax would give
  // (2.8e-5, 1) and LogSoftmax (-10.5, -2.8e-5).
  require_near(run_float(m, {1, 1, 2}), {9.5f, 20.0f});
}

TEST_CASE("Clip with bounds as inputs (ReLU6) and LeakyRelu after a Conv", "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 1, 2, 3});
  b.proto().mutable_opset_import(0)->set_version(11);  // Clip's bounds became inputs at opset 11
  b.init("w", {1, 1, 1, 1}, {2.0f});
  b.init("b", {1}, {-1.0f});
  b.node("Conv", {"x", "w", "b"}, {"c"}, "conv");
  b.init("zero", {}, {0.0f});
  b.init("six", {}, {6.0f});
  std::vector<float> want;
  UnaryFn fn = UnaryFn::kClip;
  SECTION("Clip(0, 6)") {
    b.node("Clip", {"c", "zero", "six"}, {"y"}, "act");
    want = {0, 0, 0, 1, 5.5f, 6};
  }
  SECTION("Clip with only min: the missing max is +inf") {
    b.node("Clip", {"c", "zero", ""}, {"y"}, "act");
    want = {0, 0, 0, 1, 5.5f, 9};
  }
  SECTION("LeakyRelu alpha 0.1") {
    b.node("LeakyRelu", {"c"}, {"y"}, "act").f("alpha", 0.1f);
    fn = UnaryFn::kLeakyRelu;
    want = {-0.7f, -0.2f, -0.05f, 1, 5.5f, 9};
  }
  b.output("y");
  const Model m = import_onnx(b.write(dir.file("act.onnx")));

  REQUIRE(m.layers.size() == 2);
  const Layer& l = m.layers[1];
  CHECK(l.kind == LayerKind::kUnary);
  CHECK(l.unary.fn == fn);
  CHECK(l.inputs == std::vector<int>{0});
  if (fn == UnaryFn::kClip) {
    CHECK(l.unary.lo == 0.0f);
  } else {
    CHECK(l.unary.alpha == Approx(0.1f));
  }
  // The Conv maps x to 2x - 1, so that both signs reach the activation: -7, -2, -0.5, 1, 5.5, 9.
  std::vector<std::vector<float>> acts;
  const std::vector<float> y = run_float(m, {-3.0f, -0.5f, 0.25f, 1.0f, 3.25f, 5.0f}, &acts);
  REQUIRE(acts.size() == 2);
  require_near(acts[0], {-7, -2, -0.5f, 1, 5.5f, 9});
  require_near(y, want);
}

TEST_CASE("A depthwise Conv filters each channel with its own kernel", "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 2, 3, 3});
  std::vector<float> w(18, 0.0f);
  for (int k = 0; k < 9; ++k) {
    w[size_t(k)] = 1.0f;  // channel 0: box filter
  }
  w[9] = 1.0f;  // channel 1: the top-left tap only, which shows the kernel is not flipped
  b.init("w", {2, 1, 3, 3}, w);
  b.init("b", {2}, {0.5f, -1.0f});
  b.node("Conv", {"x", "w", "b"}, {"y"}, "dw").i("group", 2).ints("pads", {1, 1, 1, 1});
  b.output("y");
  const Model m = import_onnx(b.write(dir.file("depthwise.onnx")));

  REQUIRE(m.layers.size() == 1);
  const Layer& l = m.layers[0];
  CHECK(l.kind == LayerKind::kConv2d);
  CHECK(l.groups == 2);
  CHECK(l.weight == w);
  CHECK(same_shape(l.out_shape, 2, 3, 3));
  // Channel 0 is the image 1..9: box sums under zero padding, plus 0.5. Channel 1 is 10..18:
  // output (y, x) reads pixel (y - 1, x - 1), 0 off the image, minus 1.
  require_near(run_float(m, iota(18)), {12.5f, 21.5f, 16.5f, 27.5f, 45.5f, 33.5f, 24.5f, 39.5f,
                                        28.5f, -1, -1, -1, -1, 9, 10, -1, 12, 13});
}

TEST_CASE("A Conv with dilations 2 spaces its taps two pixels apart", "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 1, 5, 5});
  std::vector<float> w(18, 0.0f);
  for (int k = 0; k < 9; ++k) {
    w[size_t(k)] = 1.0f;  // channel 0: all nine taps
  }
  w[9 + 2] = 1.0f;  // channel 1: the top-right tap only
  b.init("w", {2, 1, 3, 3}, w);
  b.node("Conv", {"x", "w"}, {"y"}, "dilated").ints("dilations", {2, 2}).ints("pads", {1, 1, 1, 1});
  b.output("y");
  const Model m = import_onnx(b.write(dir.file("dilated.onnx")));

  REQUIRE(m.layers.size() == 1);
  const Layer& l = m.layers[0];
  CHECK(l.geom.dilation_h == 2);
  CHECK(l.geom.dilation_w == 2);
  // The kernel spans 5 pixels: (5 + 1 + 1 - 5) + 1 = 3 outputs per axis.
  CHECK(same_shape(l.out_shape, 2, 3, 3));
  // Pixel (r, c) of the image 1..25 is 5r + c + 1. Output (y, x) of channel 0 sums rows
  // y - 1 + {0, 2, 4} by columns x - 1 + {0, 2, 4} on the image: rows/cols {1, 3} at the border,
  // {0, 2, 4} in the middle, e.g. (0, 0) = 7 + 9 + 17 + 19 = 52, (1, 1) = 9 taps summing to 117.
  // Channel 1 reads pixel (y - 1, x + 3): row 0 cols 3, 4 = 4, 5; row 1 = 9, 10.
  require_near(run_float(m, iota(25)),
               {52, 78, 52, 78, 117, 78, 52, 78, 52, 0, 0, 0, 4, 5, 0, 9, 10, 0});
}

}  // namespace
}  // namespace safsim
