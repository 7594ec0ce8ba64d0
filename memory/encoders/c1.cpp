// Algorithm 3 of 001, with Add/Sub run in the PE's (decoded) view of the word.
#include "memory/encoders/c1.h"

#include "memory/encoders/addsub.h"
#include "memory/encoders/word_code.h"

namespace safsim {

uint32_t encode_c1(const WordFormat& fmt, int32_t value, StuckBits stuck) {
  const WordCode wc(fmt);
  const uint32_t ones = fmt.mask();
  const uint32_t w = fmt.to_word(value);
  stuck.mask &= ones;
  stuck.values &= stuck.mask;
  // Lines 3-5: flip iff the leftmost defect is non-silent; 1-Count becomes odd.
  bool flip = false;
  if (stuck.mask != 0) {
    const uint32_t leftmost = 1u << (31 - __builtin_clz(stuck.mask));
    flip = ((w ^ stuck.values) & leftmost) != 0;
  }
  const uint32_t flip_mask = flip ? ones : 0u;
  const StuckBits view{stuck.mask, (stuck.values ^ flip_mask) & stuck.mask};
  const AddSubOptions o =
      addsub_options(wc.code(w), fmt.bits, wc.code_stuck(view), wc.lo_code(), wc.hi_code());
  const uint32_t free_bits = ones & ~stuck.mask;
  uint32_t best_stored = 0;
  int32_t best_value = 0;
  for (int i = 0; i < o.count; ++i) {
    uint32_t stored = apply_stuck_bits(wc.pattern(o.code[i]) ^ flip_mask, stuck);
    // Lines 8-9: enforce the 1-Count property with the rightmost fault-free bit.
    if (parity(stored) != (flip ? 1 : 0) && free_bits != 0) {
      stored ^= free_bits & (~free_bits + 1u);
    }
    const int32_t v = fmt.to_int(decode_c1(fmt, stored));
    if (i == 0 || better_approximation(value, v, best_value)) {
      best_stored = stored;
      best_value = v;
    }
  }
  return best_stored;
}

uint32_t decode_c1(const WordFormat& fmt, uint32_t stored) {
  const uint32_t w = stored & fmt.mask();
  return __builtin_parity(w) ? w ^ fmt.mask() : w;
}

std::optional<uint32_t> deliver_c1(const WordFormat& fmt, uint32_t word, StuckBits stuck) {
  word &= fmt.mask();
  const uint32_t inverted = ~word & fmt.mask();
  // An odd Q makes both forms decodable when the word's count is even; keep the word itself.
  for (const uint32_t s : {word, inverted}) {
    if (decode_c1(fmt, s) == word && cells_hold(s, stuck)) {
      return s;
    }
  }
  return std::nullopt;
}

DecoderCost c1_decoder_cost(const WordFormat& fmt, int) {
  return {(fmt.bits - 1) + fmt.bits, 0, fmt.bits};
}

}  // namespace safsim
