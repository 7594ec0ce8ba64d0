// Algorithm 2 of 001, with Add/Sub run in the PE's (decoded) view of the word.
#include "memory/encoders/lsb.h"

#include "memory/encoders/addsub.h"
#include "memory/encoders/word_code.h"

namespace safsim {

uint32_t encode_lsb(const WordFormat& fmt, int32_t value, StuckBits stuck) {
  const WordCode wc(fmt);
  const uint32_t ones = fmt.mask();
  const uint32_t w = fmt.to_word(value);
  stuck.mask &= ones;
  stuck.values &= stuck.mask;
  // Lines 3-8: the flag. "Leftmost defect" is the highest stuck bit above b0.
  bool flip = false;
  const uint32_t upper = stuck.mask & ~1u;
  if (!(stuck.mask & 1u)) {
    if (upper != 0) {
      const uint32_t leftmost = 1u << (31 - __builtin_clz(upper));
      flip = ((w ^ stuck.values) & leftmost) != 0;
    }
  } else {
    flip = (stuck.values & 1u) != 0;
  }
  // In the PE's view L (stored = L ^ flip-mask, except b0 = flag), a cell stuck at v pins L's bit
  // to v ^ flip. b0 of L is always 0, so b0 takes no part in Add/Sub.
  const uint32_t flip_mask = flip ? ones : 0u;
  const StuckBits view{upper, (stuck.values ^ flip_mask) & upper};
  const AddSubOptions o =
      addsub_options(wc.code(w), fmt.bits, wc.code_stuck(view), wc.lo_code(), wc.hi_code());
  uint32_t best_stored = 0;
  int32_t best_value = 0;
  for (int i = 0; i < o.count; ++i) {
    const uint32_t seen = wc.pattern(o.code[i]) & ~1u;  // line 11 clears b0 of the value
    const uint32_t stored = apply_stuck_bits(((seen ^ flip_mask) & ~1u) | (flip ? 1u : 0u), stuck);
    const int32_t v = fmt.to_int(decode_lsb(fmt, stored));
    if (i == 0 || better_approximation(value, v, best_value)) {
      best_stored = stored;
      best_value = v;
    }
  }
  return best_stored;
}

uint32_t decode_lsb(const WordFormat& fmt, uint32_t stored) {
  const uint32_t flag = stored & 1u;
  return (stored ^ (flag ? fmt.mask() : 0u)) & fmt.mask() & ~1u;
}

std::optional<uint32_t> deliver_lsb(const WordFormat& fmt, uint32_t word, StuckBits stuck) {
  word &= fmt.mask();
  if (word & 1u) {
    return std::nullopt;  // the PE never sees b0 = 1
  }
  if (cells_hold(word, stuck)) {
    return word;
  }
  const uint32_t flipped = (~word & fmt.mask()) | 1u;  // flag 1: the read path inverts it back
  return cells_hold(flipped, stuck) ? std::optional<uint32_t>(flipped) : std::nullopt;
}

DecoderCost lsb_decoder_cost(const WordFormat& fmt, int) { return {fmt.bits - 1, 0, fmt.bits}; }

}  // namespace safsim
