// The tolerance rule of onnx-check: |got - expected| <= atol + rtol * |expected|, NaN only
// matching NaN, the worst element the one furthest beyond its own tolerance.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "workloads/tensor_compare.h"

namespace safsim {
namespace {

CompareStats compare(const std::vector<float>& got, const std::vector<float>& want,
                     Tolerance tol = {}) {
  CompareStats s;
  compare_into(got.data(), want.data(), static_cast<int64_t>(got.size()), 0, tol, &s);
  return s;
}

TEST_CASE("an element matches up to atol + rtol * |expected|", "[compare]") {
  const Tolerance tol{0.01, 0.001};
  // Allowed errors: 0.001 + 0.01 * 100 = 1.001 and 0.001 + 0 = 0.001.
  CHECK(compare({101.0f}, {100.0f}, tol).ok());
  CHECK_FALSE(compare({101.1f}, {100.0f}, tol).ok());
  CHECK(compare({0.0009f}, {0.0f}, tol).ok());
  CHECK_FALSE(compare({0.002f}, {0.0f}, tol).ok());
  // The rule is not symmetric: the tolerance scales with the expected value only.
  CHECK_FALSE(compare({100.0f}, {1.0f}, tol).ok());
}

TEST_CASE("NaN matches only NaN, an infinity only the same infinity", "[compare]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  CHECK(compare({nan}, {nan}).ok());
  CHECK_FALSE(compare({nan}, {1.0f}).ok());
  CHECK_FALSE(compare({1.0f}, {nan}).ok());
  CHECK(compare({inf, -inf}, {inf, -inf}).ok());
  CHECK_FALSE(compare({-inf}, {inf}).ok());
  CHECK_FALSE(compare({3.0e38f}, {inf}).ok());
}

TEST_CASE("the statistics: counts, largest errors and the worst element", "[compare]") {
  // Element 1 is the largest absolute error, element 2 the furthest beyond its tolerance.
  const CompareStats s = compare({1.0f, 1010.0f, 0.5f}, {1.0f, 1000.0f, 0.0f});
  CHECK(s.elements == 3);
  CHECK(s.mismatches == 2);
  CHECK(s.max_abs_error == Approx(10.0));
  CHECK(s.max_rel_error == Approx(0.01));  // element 2 has expected 0: judged by atol only
  CHECK(s.worst.index == 2);
  CHECK(s.worst.got == 0.5);
  CHECK(s.worst.expected == 0.0);
  CHECK(std::isinf(s.worst.rel_error));
}

TEST_CASE("chunks compared one after another keep global indices", "[compare]") {
  CompareStats s;
  const std::vector<float> a = {1.0f, 2.0f}, b = {5.0f, 4.0f};
  compare_into(a.data(), a.data(), 2, 0, {}, &s);
  compare_into(a.data(), b.data(), 2, 2, {}, &s);
  CHECK(s.elements == 4);
  CHECK(s.mismatches == 2);
  CHECK(s.worst.index == 2);
}

TEST_CASE("a zero tolerance accepts exact matches only", "[compare]") {
  CHECK(compare({1.0f, 0.0f}, {1.0f, 0.0f}, {0.0, 0.0}).ok());
  CHECK_FALSE(compare({1.0f}, {std::nextafter(1.0f, 2.0f)}, {0.0, 0.0}).ok());
}

TEST_CASE("unravel_index is row-major", "[compare]") {
  CHECK(unravel_index(5, {2, 3}) == std::vector<int64_t>{1, 2});
  CHECK(unravel_index(0, {1, 3, 4, 4}) == std::vector<int64_t>{0, 0, 0, 0});
  CHECK(unravel_index(47, {1, 3, 4, 4}) == std::vector<int64_t>{0, 2, 3, 3});
  CHECK(unravel_index(0, {}).empty());
}

}  // namespace
}  // namespace safsim
