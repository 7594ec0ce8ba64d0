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
                      uint32_t literal, StuckBits known, int64_t running) {
  const TieChoice kept{literal, delivered_deviation(scheme, fmt, value, literal, known)};
  const int32_t d = kept.deviation;
  const auto deliver = scheme_row(scheme).deliver;
  if (d == 0 || deliver == nullptr || std::llabs(running - d) >= std::llabs(running + d)) {
    return kept;
  }
  const int32_t other = value - d;
  const int32_t limit = (1 << (fmt.bits - 1)) - 1;
  if (other < -limit || other > limit) {
    return kept;
  }
  const std::optional<uint32_t> w = deliver(fmt, fmt.to_word(other), known);
  return w ? TieChoice{*w, -d} : kept;
}

}  // namespace safsim
