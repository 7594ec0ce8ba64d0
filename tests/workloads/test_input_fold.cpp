// Folding an input map (a normalization, a float dataset's range) into the layers that read the
// input: the folded model on p / 255 computes what the original computes on the mapped input,
// padding included, in every layer kind that can take the fold.
#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "base/errors.h"
#include "tests/support/float_checks.h"
#include "tests/support/random_model.h"
#include "workloads/input_fold.h"

namespace safsim {
namespace {

using test::ModelBuilder;

/// The original model's output on x_c = scale[c] * u + shift[c], and the folded model's on u.
void check_fold(const Model& m, const std::vector<float>& scale, const std::vector<float>& shift) {
  Model folded = m;
  fold_input_affine(folded, scale, shift, "workload.normalize");
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> px(0.0f, 1.0f);
  const Shape& s = m.input_shape;
  const int plane = s.h * s.w;
  for (int image = 0; image < 3; ++image) {
    std::vector<float> u(size_t(s.size())), x(size_t(s.size()));
    for (size_t i = 0; i < u.size(); ++i) {
      u[i] = px(rng);
      const size_t c = i / size_t(plane);
      x[i] = scale[c] * u[i] + shift[c];
    }
    test::require_near(run_float(folded, u), run_float(m, x), 1e-4f);
  }
}

TEST_CASE("a normalization folded into padded, strided and grouped convolutions is exact",
          "[input_fold]") {
  // torchvision's CIFAR-10 statistics: 255 * mean is not an integer on any channel.
  const std::vector<float> mean = {0.4914f, 0.4822f, 0.4465f}, std = {0.2470f, 0.2435f, 0.2616f};
  std::vector<float> scale, shift;
  for (size_t c = 0; c < 3; ++c) {
    scale.push_back(1.0f / std[c]);
    shift.push_back(-mean[c] / std[c]);
  }
  SECTION("padded 3x3 conv") {
    ModelBuilder b({3, 9, 8}, 1);
    b.act(b.conv(-1, 4, 3, 1, 1), LayerKind::kRelu);
    check_fold(b.build(), scale, shift);
  }
  SECTION("strided 5x5 conv with pad 2, and a second reader of the input") {
    ModelBuilder b({3, 11, 10}, 2);
    const int a = b.conv(-1, 4, 5, 2, 2);
    const int c = b.conv(-1, 4, 1, 2, 0);
    b.residual(a, c);
    check_fold(b.build(), scale, shift);
  }
  SECTION("grouped (depthwise) conv") {
    ModelBuilder b({3, 7, 7}, 3);
    b.grouped_conv(-1, 6, 3, 1, 1, 3);
    check_fold(b.build(), scale, shift);
  }
  SECTION("flatten then linear (an MLP)") {
    ModelBuilder b({3, 4, 5}, 4);
    b.conv(b.flatten(-1), 7, 1, 1, 0, /*linear=*/true);
    check_fold(b.build(), scale, shift);
  }
}

TEST_CASE("folding composes with a normalization the ONNX graph already held", "[input_fold]") {
  ModelBuilder b({2, 6, 6}, 5);
  b.grouped_conv(-1, 3, 3, 1, 1, 1, 1, /*pad_value=*/{0.25f, 0.75f});
  const Model m = b.build();
  check_fold(m, {2.0f, 0.5f}, {-0.1f, 0.3f});
  Model folded = m;
  fold_input_affine(folded, {2.0f, 0.5f}, {-0.1f, 0.3f}, "a float dataset");
  // The raw input that maps to the old pad values: (0.25 + 0.1) / 2 and (0.75 - 0.3) / 0.5.
  test::require_near(folded.layers[0].pad_value, {0.175f, 0.9f}, 1e-6f);
}

TEST_CASE("a layer that cannot take the fold is named", "[input_fold]") {
  ModelBuilder b({1, 8, 8}, 6);
  b.conv(b.pool(-1, LayerKind::kMaxPool, 2, 2, 0), 2, 3, 1, 1);
  Model m = b.build();
  CHECK_THROWS_WITH(fold_input_affine(m, {2.0f}, {-1.0f}, "workload.normalize"),
                    Catch::Matchers::Contains("layer 'Pool_0' (Pool) reads the model input") &&
                        Catch::Matchers::Contains(
                            "workload.normalize can only be folded into the Conv and Gemm"));
  CHECK_THROWS_AS(fold_input_affine(m, {0.0f}, {1.0f}, "workload.normalize"), UserError);
  CHECK_THROWS_WITH(fold_input_affine(m, {0.0f}, {1.0f}, "workload.normalize"),
                    Catch::Matchers::Contains("maps input channel 0 to a constant"));
}

}  // namespace
}  // namespace safsim
