// Nearest decodable word, through the ordered-code search of closest_code.h.
#include "memory/encoders/optimal.h"

#include <optional>

#include "memory/encoders/closest_code.h"
#include "memory/encoders/word_code.h"

namespace safsim {

uint32_t encode_optimal(const WordFormat& fmt, int32_t value, StuckBits stuck) {
  const WordCode wc(fmt);
  const std::optional<uint32_t> c = closest_code(wc.code_of_value(value), fmt.bits,
                                                 wc.code_stuck(stuck), -1, uint32_t(wc.zero_code));
  return wc.pattern(*c);  // with no parity constraint some word always exists
}

uint32_t encode_optimal_flip(const WordFormat& fmt, int32_t value, StuckBits stuck) {
  const WordCode wc(fmt);
  const uint32_t ones = fmt.mask();
  stuck.mask &= ones;
  stuck.values &= stuck.mask;
  // Parity of a code differs from that of its pattern iff the format inverts the MSB.
  const int code_parity_shift = wc.sign_flip != 0 ? 1 : 0;
  const uint32_t target = wc.code_of_value(value);
  // Even stored words reach the PE as they are: the PE word d has d's cells' constraints and
  // even parity. Odd stored words reach it inverted: d = ~s has inverted constraints and parity
  // 1 ^ (Q mod 2).
  const StuckBits inverted{stuck.mask, ~stuck.values & stuck.mask};
  const int odd_d_parity = 1 ^ (fmt.bits & 1);
  const std::optional<uint32_t> even = closest_code(target, fmt.bits, wc.code_stuck(stuck),
                                                    0 ^ code_parity_shift, uint32_t(wc.zero_code));
  const std::optional<uint32_t> odd =
      closest_code(target, fmt.bits, wc.code_stuck(inverted), odd_d_parity ^ code_parity_shift,
                   uint32_t(wc.zero_code));
  if (!odd ||
      (even && !better_approximation(value, wc.value_of_code(*odd), wc.value_of_code(*even)))) {
    return wc.pattern(*even);
  }
  return wc.pattern(*odd) ^ ones;
}

}  // namespace safsim
