// Add/Sub Approximation, Algorithm 1 of 001 §3.1: compensate the leftmost non-silent stuck bit
// by adding or subtracting 2^k and resetting / setting the fault-free bits below it.
#pragma once

#include <cstdint>

#include "memory/defect_map.h"
#include "workloads/word_format.h"

namespace safsim {

/// The approximations Algorithm 1 can choose between, as codes (memory/encoders/word_code.h)
/// with every stuck bit already at its stuck value.
struct AddSubOptions {
  uint32_t code[2] = {0, 0};
  int count = 0;  // 1 or 2
};

/// Options for target code `t`: {t} if no stuck bit is non-silent; else the valid ones of
/// "add" (t + 2^k, lower fault-free bits 0) and "sub" (t - 2^k, lower fault-free bits 1) for the
/// leftmost non-silent bit k. An option is invalid (001 §3.1) if it leaves [lo, hi] or carries /
/// borrows into a higher stuck bit; if both are, the word is stored as is. Callers keep the option
/// with the smaller final deviation, which is the minimum-deviation reading of lines 2-9 (it also
/// settles k = 0 and a defective b_{k-1}, where the paper's b_{k-1} rule is undefined or wrong).
///   AddSubOptions o = addsub_options(76, 8, {0x48, 0x08}, 0, 254);  // Fig. 2: {63, 136}
AddSubOptions addsub_options(uint32_t t, int bits, StuckBits code_stuck, uint32_t lo, uint32_t hi);

/// The word to write under `addsub` for weight `value` (no read-path hardware).
///   uint32_t w = encode_addsub(fmt, value, stuck);  // apply_stuck_bits(w, stuck) == w
uint32_t encode_addsub(const WordFormat& fmt, int32_t value, StuckBits stuck);

}  // namespace safsim
