// Beyond 001: the best any bit-manipulation encoder can do given the stuck cells, as a bound for
// Add/Sub (`optimal`, plain read path) and for LSB / C-1 (`optimal_flip`, C-1 read path).
#pragma once

#include <cstdint>

#include "memory/defect_map.h"
#include "workloads/word_format.h"

namespace safsim {

/// The word the cells can hold whose value is closest to `value` (ties: closer to zero). Every
/// word the cells can hold counts, including the one code outside the symmetric range, since
/// the PE would receive it as is. O(Q) (memory/encoders/closest_code.h).
///   uint32_t w = encode_optimal(u8, u8.to_int(76), {0x48, 0x08});  // Fig. 2 defects: 63, as
///   Add/Sub
uint32_t encode_optimal(const WordFormat& fmt, int32_t value, StuckBits stuck);

/// The word the cells can hold whose C-1 decoding (decode_c1) is closest to `value`: the best
/// over even-parity words (read as is) and odd-parity words (read inverted).
///   uint32_t w = encode_optimal_flip(fmt, value, stuck);  // decode_c1(fmt, w) is the bound
uint32_t encode_optimal_flip(const WordFormat& fmt, int32_t value, StuckBits stuck);

}  // namespace safsim
