// Count-One (C-1) Approximation, Algorithm 3 of 001 §3.2.2: an odd number of ones means "flipped";
// the read path is a Q-input parity and Q conditional-flip XORs (001 Fig. 7(b)).
#pragma once

#include <cstdint>
#include <optional>

#include "memory/defect_map.h"
#include "memory/encoders/scheme.h"
#include "workloads/word_format.h"

namespace safsim {

/// The word to write under `c1`. Flip decision exactly as Algorithm 3 (lines 3-5: flip if the
/// leftmost defect is non-silent); the Add/Sub step (lines 6-7) keeps, of its options, the one
/// with the smaller deviation after the parity fix of lines 8-9 (flip the rightmost fault-free
/// bit). A word whose cells are all stuck is stored as is.
///   uint32_t w = encode_c1(u8, u8.to_int(202), {0x81, 0x81});  // Fig. 5(b): w == 201, PE sees 201
uint32_t encode_c1(const WordFormat& fmt, int32_t value, StuckBits stuck);

/// C-1's (and optimal_flip's) read path (001 Fig. 7(b)): invert all Q bits iff the count of
/// ones is odd.
uint32_t decode_c1(const WordFormat& fmt, uint32_t stored);
/// A word to write that reaches the PE as `word`: the word itself if its count of ones is even,
/// its complement if that count is odd; none if the stuck cells hold neither.
std::optional<uint32_t> deliver_c1(const WordFormat& fmt, uint32_t word, StuckBits stuck);
/// (Q - 1) + Q XORs: a Q-input parity and Q conditional flips (001 §3.3).
DecoderCost c1_decoder_cost(const WordFormat& fmt, int group_words);

}  // namespace safsim
