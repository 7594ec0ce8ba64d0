// Image scores (selection_scores.h); Eq. numbers are those of 000.
#include "sim/selection/scores.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace safsim {

double corner_score(const std::vector<double>& logits) {
  if (logits.size() < 2) {
    throw std::invalid_argument("corner_score: at least two classes expected");
  }
  const double top = *std::max_element(logits.begin(), logits.end());
  std::vector<double> p(logits.size());
  double sum = 0.0;
  for (size_t c = 0; c < logits.size(); ++c) {
    p[c] = std::exp(logits[c] - top);
    sum += p[c];
  }
  std::partial_sort(p.begin(), p.begin() + 2, p.end(), std::greater<double>());
  return (p[0] - p[1]) / sum;
}

double prob_distrib_score(const std::vector<double>& logits) {
  double positive = 0.0;
  for (double z : logits) {
    positive += std::max(z, 0.0);
  }
  if (positive <= 0.0) {
    return 1.0;
  }
  return 1.0 - *std::max_element(logits.begin(), logits.end()) / positive;
}

double expected_flip_deviation(const WordFormat& f, uint32_t word) {
  if (f.is_float()) {
    throw std::invalid_argument("expected_flip_deviation: integer weight formats only");
  }
  const int64_t w = f.to_int(word);
  int64_t sum = 0;
  for (int k = 0; k < f.bits; ++k) {
    sum += int64_t{f.to_int(word ^ (1u << k))} - w;
  }
  return double(sum) / f.bits;
}

double grad_score(const std::vector<float>& deviation, const std::vector<float>& gradient_lsb) {
  if (deviation.size() != gradient_lsb.size()) {
    throw std::invalid_argument("grad_score: one deviation per gradient expected");
  }
  double s = 0.0;
  for (size_t i = 0; i < deviation.size(); ++i) {
    s += std::max(0.0, double(deviation[i]) * double(gradient_lsb[i]));
  }
  return s;
}

}  // namespace safsim
