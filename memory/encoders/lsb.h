// LSB Approximation, Algorithm 2 of 001 §3.2.1: the LSB is a flip flag; the read path XORs every
// bit with it (001 Fig. 7(a)), so the PE always sees LSB 0.
#pragma once

#include <cstdint>
#include <optional>

#include "memory/defect_map.h"
#include "memory/encoders/scheme.h"
#include "workloads/word_format.h"

namespace safsim {

/// The word to write under `lsb`. Flip decision exactly as Algorithm 2 (lines 3-8): flip if b0 is
/// fault-free and the leftmost defect is non-silent, or if b0 is stuck at 1. The Add/Sub step
/// (lines 9-10) runs on the value the PE will see and keeps its lower-deviation option.
///   uint32_t w = encode_lsb(u8, u8.to_int(51), {0x80, 0x80});  // Fig. 4(a): w == 205, PE sees 50
uint32_t encode_lsb(const WordFormat& fmt, int32_t value, StuckBits stuck);

/// LSB's read path (001 Fig. 7(a)): every bit XOR b0, so the PE's LSB is always 0.
uint32_t decode_lsb(const WordFormat& fmt, uint32_t stored);
/// A word to write that reaches the PE as `word` (b0 must be 0): flag 0 and the word, else flag
/// 1 and its complement; none if the stuck cells hold neither.
std::optional<uint32_t> deliver_lsb(const WordFormat& fmt, uint32_t word, StuckBits stuck);
/// Q - 1 XORs: b0 XOR b0 is the constant 0 (001 §3.3: N - 1 gates).
DecoderCost lsb_decoder_cost(const WordFormat& fmt, int group_words);

}  // namespace safsim
