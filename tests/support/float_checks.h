// Small helpers of the ONNX import tests: hand-checkable inputs and elementwise comparison.
#pragma once

#include <catch2/catch.hpp>
#include <vector>

#include "workloads/model.h"

namespace safsim::test {

/// start, start + 1, ... (n values): the 4x4 image 1..16 makes window sums easy to check by hand.
inline std::vector<float> iota(int n, float start = 1.0f) {
  std::vector<float> v(n);
  for (int i = 0; i < n; ++i) {
    v[i] = start + i;
  }
  return v;
}

inline void require_near(const std::vector<float>& got, const std::vector<float>& want,
                         double tol = 1e-5) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i);
    REQUIRE(got[i] == Approx(want[i]).margin(tol));
  }
}

inline bool same_shape(const Shape& s, int c, int h, int w) { return s == Shape{c, h, w}; }

}  // namespace safsim::test
