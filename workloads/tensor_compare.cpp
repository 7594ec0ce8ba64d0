// The tolerance rule of tensor_compare.h, with NaN and infinities made explicit: both are
// legitimate outputs of a float model, and a NaN must never pass by comparing false everywhere.
#include "workloads/tensor_compare.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace safsim {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

ElementDiff diff_of(double a, double b, const Tolerance& tol) {
  ElementDiff d;
  d.got = a;
  d.expected = b;
  const bool same_special = (std::isnan(a) && std::isnan(b)) || (std::isinf(b) && a == b);
  if (same_special) {
    return d;  // errors 0, a match
  }
  if (!std::isfinite(a) || !std::isfinite(b)) {
    d.abs_error = d.rel_error = d.badness = kInf;
    return d;
  }
  d.abs_error = std::abs(a - b);
  d.rel_error = b != 0.0 ? d.abs_error / std::abs(b) : (d.abs_error > 0.0 ? kInf : 0.0);
  const double allowed = tol.atol + tol.rtol * std::abs(b);
  if (allowed > 0.0) {
    d.badness = d.abs_error / allowed;
  } else {
    // A zero tolerance: any difference is infinitely bad, an exact match is perfect.
    d.badness = d.abs_error > 0.0 ? kInf : 0.0;
  }
  return d;
}

}  // namespace

void compare_into(const float* got, const float* expected, int64_t n, int64_t first_index,
                  const Tolerance& tol, CompareStats* stats) {
  for (int64_t i = 0; i < n; ++i) {
    ElementDiff d = diff_of(got[i], expected[i], tol);
    d.index = first_index + i;
    ++stats->elements;
    // Written as "not within" so that a NaN badness could never count as a match.
    if (!(d.badness <= 1.0)) {
      ++stats->mismatches;
    }
    stats->max_abs_error = std::max(stats->max_abs_error, d.abs_error);
    if (d.expected != 0.0) {
      stats->max_rel_error = std::max(stats->max_rel_error, d.rel_error);
    }
    if (stats->worst.index < 0 || d.badness > stats->worst.badness) {
      stats->worst = d;
    }
  }
}

std::vector<int64_t> unravel_index(int64_t flat, const std::vector<int64_t>& dims) {
  std::vector<int64_t> index(dims.size(), 0);
  for (size_t k = dims.size(); k-- > 0;) {
    if (dims[k] > 0) {
      index[k] = flat % dims[k];
      flat /= dims[k];
    }
  }
  return index;
}

}  // namespace safsim
