// How many neurons a statistical fault-injection campaign must test (Leveugle, Calvez, Maistri,
// Vanhauwaert, "Statistical fault injection: quantified error and confidence", DATE 2009).
#pragma once

#include <cstdint>
#include <vector>

namespace safsim {

/// Two-sided standard normal quantile t with P(|Z| <= t) = confidence (t = 2.5758 at 0.99).
double normal_quantile_two_sided(double confidence);

/// Leveugle et al. Eq.: n = N / (1 + e^2 (N - 1) / (t^2 p (1 - p))), p = 0.5 (the worst case),
/// rounded up. N = 87,882 (cnn_s002), e = 0.01, 99% confidence: n = 13,954.
///   int64_t n = leveugle_sample_size(population, 0.01, 0.99);
int64_t leveugle_sample_size(int64_t population, double error_margin, double confidence);

/// `n` distinct indices of [0, population), sorted, drawn with a partial Fisher-Yates shuffle
/// from RandomStream(seed, 0, "neuron_sample"): the same seed gives the same sample.
std::vector<int64_t> sample_indices(int64_t population, int64_t n, uint64_t seed);

}  // namespace safsim
