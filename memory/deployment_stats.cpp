// Deviation histogram helpers.
#include "memory/deployment_stats.h"

#include <fmt/format.h>

namespace safsim {

int deviation_bin(int64_t deviation) { return 63 - __builtin_clzll(uint64_t(deviation)); }

std::string deviation_csv(const DeploymentStats& s) {
  std::string out = "log2_bin,min_deviation,max_deviation,weights_before,weights_after\n";
  for (int x = 0; x < DeploymentStats::kHistogramBins; ++x) {
    out += fmt::format("{},{},{},{},{}\n", x, int64_t{1} << x, (int64_t{2} << x) - 1,
                       s.deviation_histogram_before[size_t(x)],
                       s.deviation_histogram_after[size_t(x)]);
  }
  return out;
}

}  // namespace safsim
