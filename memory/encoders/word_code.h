// An integer weight word seen as an ordered code (code order == value order), so the encoders'
// add/subtract and nearest-word searches are plain unsigned arithmetic for both word formats.
#pragma once

#include <cstdint>
#include <cstdlib>

#include "memory/defect_map.h"
#include "workloads/word_format.h"

namespace safsim {

/// Offset-binary words are their own code; two's complement words map by inverting the MSB.
/// value = code - zero_code for every word, including the out-of-range ones a fault can make.
///   WordCode c(WordFormat{WeightFormat::kTwosComplement, 8});
///   c.code(0xFD) == 0x7D;  c.value_of_code(0x7D) == -3;
struct WordCode {
  int bits;
  uint32_t mask;
  uint32_t sign_flip;  // bit Q-1 for two's complement, 0 for offset-binary
  int32_t zero_code;   // code of value 0

  explicit WordCode(const WordFormat& fmt)
      : bits(fmt.bits),
        mask(fmt.mask()),
        sign_flip(fmt.format == WeightFormat::kTwosComplement ? 1u << (fmt.bits - 1) : 0u),
        zero_code(fmt.format == WeightFormat::kTwosComplement ? (1 << (fmt.bits - 1))
                                                              : (1 << (fmt.bits - 1)) - 1) {}

  uint32_t code(uint32_t pattern) const { return (pattern ^ sign_flip) & mask; }
  uint32_t pattern(uint32_t code) const { return (code ^ sign_flip) & mask; }
  int32_t value_of_code(uint32_t code) const { return int32_t(code) - zero_code; }
  uint32_t code_of_value(int32_t value) const { return uint32_t(value + zero_code); }
  /// Stuck bits of a pattern, restated on the code.
  StuckBits code_stuck(StuckBits s) const {
    const uint32_t m = s.mask & mask;
    return {m, (s.values ^ sign_flip) & m};
  }
  /// Codes of the symmetric value range [-(2^(Q-1)-1), 2^(Q-1)-1].
  uint32_t lo_code() const { return uint32_t(zero_code - ((1 << (bits - 1)) - 1)); }
  uint32_t hi_code() const { return uint32_t(zero_code + ((1 << (bits - 1)) - 1)); }
};

/// The tie rule shared by every encoder: `a` approximates `target` better than `b` if its
/// deviation is smaller; on equal deviation the value closer to zero wins (a weight shrunk towards
/// zero is the gentler error), and on a symmetric tie (target 0) the smaller value.
inline bool better_approximation(int32_t target, int32_t a, int32_t b) {
  const int32_t da = std::abs(a - target);
  const int32_t db = std::abs(b - target);
  if (da != db) {
    return da < db;
  }
  if (std::abs(a) != std::abs(b)) {
    return std::abs(a) < std::abs(b);
  }
  return a < b;
}

/// Parity (number of ones mod 2) of a word.
inline int parity(uint32_t w) { return __builtin_parity(w); }

}  // namespace safsim
