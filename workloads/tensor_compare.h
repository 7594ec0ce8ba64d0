// Element-wise comparison of a computed tensor with an expected one under a tolerance, keeping
// the statistics a conformance report prints: the largest errors and the worst element.
#pragma once

#include <cstdint>
#include <vector>

namespace safsim {

/// An element matches when |got - expected| <= atol + rtol * |expected| (numpy.isclose's rule,
/// the one ONNX's backend tests use). NaN matches NaN and an infinity matches the same infinity.
struct Tolerance {
  double rtol = 1e-3;
  double atol = 1e-5;
};

/// One compared element.
struct ElementDiff {
  int64_t index = -1;  // flat, row-major index into the expected tensor
  double got = 0.0;
  double expected = 0.0;
  double abs_error = 0.0;
  double rel_error = 0.0;  // abs_error / |expected|; 0 when both are 0, infinite when only b is
  // abs_error over the allowed error: > 1 is a mismatch. Ranks elements by how far they are off.
  double badness = 0.0;
};

/// What compare_into() has seen so far, over one tensor or several chunks of it.
struct CompareStats {
  int64_t elements = 0;
  int64_t mismatches = 0;
  double max_abs_error = 0.0;
  double max_rel_error = 0.0;  // over elements whose expected value is not 0 (those use atol)
  ElementDiff worst;           // highest badness; index -1 before any element

  bool ok() const { return mismatches == 0; }
};

/// Compares got[i] with expected[i] for i < n and adds them to `stats`, with flat indices
/// starting at `first_index` (so a batch can be compared one image at a time).
void compare_into(const float* got, const float* expected, int64_t n, int64_t first_index,
                  const Tolerance& tol, CompareStats* stats);

/// The row-major multi-index of flat index `flat` in a tensor of shape `dims`:
///   unravel_index(5, {2, 3}) == std::vector<int64_t>{1, 2}
std::vector<int64_t> unravel_index(int64_t flat, const std::vector<int64_t>& dims);

}  // namespace safsim
