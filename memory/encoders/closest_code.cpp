// Branch-point search: a code below the target agrees with it above some bit i, has 0 at i where
// the target has 1, and is maximal below i; the lowest feasible i gives the largest such code.
#include "memory/encoders/closest_code.h"

#include <cstdlib>

#include "memory/encoders/word_code.h"

namespace safsim {
namespace {

bool parity_ok(uint32_t c, int p) { return p < 0 || parity(c) == p; }

}  // namespace

std::optional<uint32_t> floor_code(uint32_t target, int bits, StuckBits s, int p) {
  const uint32_t full = (1u << bits) - 1u;
  s.mask &= full;
  s.values &= s.mask;
  target &= full;
  if (cells_hold(target, s) && parity_ok(target, p)) {
    return target;
  }
  for (int i = 0; i < bits; ++i) {
    const uint32_t bit = 1u << i;
    const uint32_t low = bit - 1u;
    const uint32_t above = full & ~(low | bit);
    if (!(target & bit) || (s.mask & s.values & bit) || (s.mask & above & (target ^ s.values))) {
      continue;
    }
    const uint32_t free_low = low & ~s.mask;
    uint32_t c = (target & above) | free_low | (s.values & low);
    if (!parity_ok(c, p)) {
      if (free_low == 0) {
        continue;
      }
      c ^= free_low & (~free_low + 1u);  // clear the lowest free bit: the smallest loss
    }
    return c;
  }
  return std::nullopt;
}

std::optional<uint32_t> ceil_code(uint32_t target, int bits, StuckBits s, int p) {
  const uint32_t full = (1u << bits) - 1u;
  s.mask &= full;
  s.values &= s.mask;
  target &= full;
  if (cells_hold(target, s) && parity_ok(target, p)) {
    return target;
  }
  for (int i = 0; i < bits; ++i) {
    const uint32_t bit = 1u << i;
    const uint32_t low = bit - 1u;
    const uint32_t above = full & ~(low | bit);
    if ((target & bit) || (s.mask & ~s.values & bit) || (s.mask & above & (target ^ s.values))) {
      continue;
    }
    const uint32_t free_low = low & ~s.mask;
    uint32_t c = (target & above) | bit | (s.values & low);
    if (!parity_ok(c, p)) {
      if (free_low == 0) {
        continue;
      }
      c |= free_low & (~free_low + 1u);  // set the lowest free bit: the smallest gain
    }
    return c;
  }
  return std::nullopt;
}

std::optional<uint32_t> closest_code(uint32_t target, int bits, StuckBits s, int p,
                                     uint32_t zero_code) {
  const std::optional<uint32_t> lo = floor_code(target, bits, s, p);
  const std::optional<uint32_t> hi = ceil_code(target, bits, s, p);
  if (!lo || !hi) {
    return lo ? lo : hi;
  }
  const auto z = int32_t(zero_code);
  return better_approximation(int32_t(target) - z, int32_t(*hi) - z, int32_t(*lo) - z) ? hi : lo;
}

}  // namespace safsim
