// The balanced tie rule on top of any per-word scheme with a deliver function.
#include "memory/encoders/balanced_ties.h"

#include <cstdlib>
#include <optional>

#include "memory/read_path_decoder.h"

namespace safsim {

int32_t delivered_deviation(MitigationScheme scheme, const WordFormat& fmt, int32_t value,
                            uint32_t written, StuckBits known) {
  return fmt.to_int(decode_read_path(scheme, fmt, apply_stuck_bits(written, known))) - value;
}

TieChoice balance_tie(MitigationScheme scheme, const WordFormat& fmt, int32_t value,
                      uint32_t literal, StuckBits known, int64_t running, int slack) {
  TieChoice best{literal, delivered_deviation(scheme, fmt, value, literal, known)};
  const auto deliver = scheme_row(scheme).deliver;
  if (deliver == nullptr) {
    return best;
  }
  const int32_t d = best.deviation;
  const int32_t limit = (1 << (fmt.bits - 1)) - 1;
  const int32_t reach = std::abs(d) + slack;
  int64_t best_running = std::llabs(running + d);
  // Candidates from -reach up, so that equal ones resolve the same way every time.
  for (int32_t e = -reach; e <= reach; ++e) {
    const int64_t r = std::llabs(running + e);
    const bool better = r < best_running || (r == best_running && std::abs(e) < std::abs(d));
    if (e == d || (slack == 0 && e != -d) || !better || value + e < -limit || value + e > limit) {
      continue;
    }
    if (const std::optional<uint32_t> w = deliver(fmt, fmt.to_word(value + e), known)) {
      best = TieChoice{*w, e};
      best_running = r;
    }
  }
  return best;
}

}  // namespace safsim
