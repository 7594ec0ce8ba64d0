// Algorithm 1 of 001 on ordered codes.
#include "memory/encoders/addsub.h"

#include "memory/encoders/word_code.h"

namespace safsim {

AddSubOptions addsub_options(uint32_t t, int bits, StuckBits s, uint32_t lo, uint32_t hi) {
  AddSubOptions o;
  const uint32_t full = (1u << bits) - 1u;
  const uint32_t non_silent = s.mask & (t ^ s.values) & full;
  if (non_silent == 0) {
    o.code[o.count++] = t;
    return o;
  }
  const int k = 31 - __builtin_clz(non_silent);  // leftmost non-silent defect (line 1)
  const uint32_t bit = 1u << k;
  const uint32_t low = bit - 1u;
  const uint32_t above = full & ~(low | bit);
  const int64_t add = (int64_t{t} + bit) & ~int64_t{low};  // lines 3-4
  const int64_t sub = (int64_t{t} - bit) | low;            // lines 6-7
  for (const int64_t c : {sub, add}) {
    if (c < 0 || c > full) {
      continue;  // the arithmetic left the word (Fig. 3: 51 - 128)
    }
    const uint32_t stored = apply_stuck_bits(uint32_t(c), s);
    const bool higher_ok = (s.mask & above & (uint32_t(c) ^ s.values)) == 0;
    if (higher_ok && stored >= lo && stored <= hi) {
      o.code[o.count++] = stored;
    }
  }
  if (o.count == 0) {
    o.code[o.count++] = apply_stuck_bits(t, s);  // both options invalid: store as is
  }
  return o;
}

uint32_t encode_addsub(const WordFormat& fmt, int32_t value, StuckBits stuck) {
  const WordCode wc(fmt);
  const AddSubOptions o = addsub_options(wc.code_of_value(value), fmt.bits, wc.code_stuck(stuck),
                                         wc.lo_code(), wc.hi_code());
  uint32_t best = o.code[0];
  for (int i = 1; i < o.count; ++i) {
    if (better_approximation(value, wc.value_of_code(o.code[i]), wc.value_of_code(best))) {
      best = o.code[i];
    }
  }
  return wc.pattern(best);
}

}  // namespace safsim
