// Coverage rows and the greedy set cover (selection_cover.h, Algorithm 1 of 000).
#include "sim/selection/cover.h"

#include <algorithm>
#include <stdexcept>

namespace safsim {

NeuronCoverage neuron_coverage(const QuantModel& qm,
                               const std::vector<std::vector<float>>& values) {
  NeuronCoverage nc;
  for (size_t l = 0; l < qm.layers.size(); ++l) {
    const QLayer& q = qm.layers[l];
    if (q.kind != QOpKind::kArray) {
      continue;
    }
    const float centre =
        q.activation == Activation::kLut && q.unary.fn == UnaryFn::kSigmoid ? 0.5f : 0.0f;
    const int64_t positions = int64_t{q.out_shape.h} * q.out_shape.w;
    for (int o = 0; o < q.out_channels; ++o) {
      double sum = 0.0;
      for (int64_t p = 0; p < positions; ++p) {
        sum += std::max(0.0f, values[l][size_t(o * positions + p)] - centre);
      }
      nc.active.push_back(sum > 0.0 ? 1 : 0);
      nc.score += sum;
    }
  }
  return nc;
}

std::vector<int> greedy_cover(const std::vector<std::vector<uint8_t>>& rows,
                              const std::vector<double>& score) {
  if (rows.size() != score.size()) {
    throw std::invalid_argument("greedy_cover: one score per row expected");
  }
  const size_t n_rows = rows.size();
  const size_t n_cols = n_rows ? rows[0].size() : 0;
  std::vector<int> ones_in_col(n_cols, 0);
  std::vector<int> only_row(n_cols, -1);
  for (size_t r = 0; r < n_rows; ++r) {
    for (size_t c = 0; c < n_cols; ++c) {
      if (rows[r][c]) {
        ++ones_in_col[c];
        only_row[c] = int(r);
      }
    }
  }
  std::vector<uint8_t> covered(n_cols, 0), chosen(n_rows, 0);
  std::vector<int> order;
  auto take = [&](int r) {
    chosen[size_t(r)] = 1;
    order.push_back(r);
    for (size_t c = 0; c < n_cols; ++c) {
      covered[c] |= rows[size_t(r)][c];
    }
  };
  // Lines 3-5: rows that alone activate a neuron are in every cover.
  std::vector<uint8_t> unique(n_rows, 0);
  for (size_t c = 0; c < n_cols; ++c) {
    if (ones_in_col[c] == 1) {
      unique[size_t(only_row[c])] = 1;
    }
  }
  for (size_t r = 0; r < n_rows; ++r) {
    if (unique[r]) {
      take(int(r));
    }
  }
  // Lines 6-13: greedy max cover, ties to score_activation, then to the lower row.
  for (;;) {
    int best = -1, best_gain = 0;
    for (size_t r = 0; r < n_rows; ++r) {
      if (chosen[r]) {
        continue;
      }
      int gain = 0;
      for (size_t c = 0; c < n_cols; ++c) {
        gain += rows[r][c] & !covered[c];
      }
      if (gain > best_gain || (gain == best_gain && gain > 0 && score[r] > score[size_t(best)])) {
        best = int(r);
        best_gain = gain;
      }
    }
    if (best < 0) {
      return order;
    }
    take(best);
  }
}

}  // namespace safsim
