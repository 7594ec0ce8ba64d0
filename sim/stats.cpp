// Totals of a run's statistics.
#include "sim/stats.h"

#include <algorithm>
#include <type_traits>

namespace safsim {

double utilization(uint64_t macs, uint64_t cycles, int rows, int cols) {
  return cycles > 0 ? double(macs) / (double(cycles) * rows * cols) : 0.0;
}

void sum_totals(RunStats& s) {
  LayerStats t;
  t.layer = "total";
  t.type = "total";
  for (const LayerStats& l : s.layers) {
    // Walk both structs' fields in lockstep: the i-th visited field of t and of l match.
    std::vector<long double> values;  // exact for every uint64_t
    l.visit([&](const char*, const auto& v, StatColumn) {
      using T = std::decay_t<decltype(v)>;
      if constexpr (std::is_arithmetic_v<T>) {
        values.push_back(static_cast<long double>(v));
      }
    });
    size_t i = 0;
    t.visit([&](const char*, auto& v, StatColumn) {
      using T = std::decay_t<decltype(v)>;
      if constexpr (std::is_arithmetic_v<T>) {
        v += static_cast<T>(values[i++]);
      }
    });
  }
  // Shape fields are not additive: report the largest.
  t.rows_used = t.cols_used = t.row_folds = t.col_folds = t.token_tiles = 0;
  t.first_image_start_cycle = 0;
  for (const LayerStats& l : s.layers) {
    t.rows_used = std::max(t.rows_used, l.rows_used);
    t.cols_used = std::max(t.cols_used, l.cols_used);
  }
  t.utilization = utilization(t.macs, t.cycles, s.rows, s.cols);
  s.total = t;
}

}  // namespace safsim
