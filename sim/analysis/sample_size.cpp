// Statistical sample size and a seeded sample without replacement.
#include "sim/analysis/sample_size.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "base/random_stream.h"

namespace safsim {

double normal_quantile_two_sided(double confidence) {
  if (!(confidence > 0.0 && confidence < 1.0)) {
    throw std::invalid_argument("confidence must be in (0, 1)");
  }
  // P(|Z| <= t) = erf(t / sqrt 2), increasing in t: bisection to double precision.
  double lo = 0.0, hi = 40.0;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (std::erf(mid / std::sqrt(2.0)) < confidence ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

int64_t leveugle_sample_size(int64_t population, double error_margin, double confidence) {
  const double t = normal_quantile_two_sided(confidence);
  const double p = 0.5;
  const double n = double(population) / (1.0 + error_margin * error_margin *
                                                   double(population - 1) / (t * t * p * (1 - p)));
  return std::min<int64_t>(population, static_cast<int64_t>(std::ceil(n - 1e-9)));
}

std::vector<int64_t> sample_indices(int64_t population, int64_t n, uint64_t seed) {
  std::vector<int64_t> all(static_cast<size_t>(population));
  std::iota(all.begin(), all.end(), int64_t{0});
  RandomStream rng(seed, 0, "neuron_sample");
  n = std::min(n, population);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t j = i + static_cast<int64_t>(rng.below(static_cast<uint64_t>(population - i)));
    std::swap(all[i], all[j]);
  }
  all.resize(static_cast<size_t>(n));
  std::sort(all.begin(), all.end());
  return all;
}

}  // namespace safsim
