// Nearest word the cells can hold: the largest / smallest / closest code to a target whose bits
// agree with the stuck cells and, optionally, have a given parity. O(Q) per query.
#pragma once

#include <cstdint>
#include <optional>

#include "memory/defect_map.h"

namespace safsim {

/// Largest code c <= target over `bits` bits with (c & s.mask) == s.values and, if parity >= 0,
/// popcount(c) % 2 == parity. Empty if there is none.
///   floor_code(0b1011, 4, {0b0100, 0b0100}, -1) == 0b0111   // bit 2 stuck at 1
std::optional<uint32_t> floor_code(uint32_t target, int bits, StuckBits s, int parity);
/// Smallest such code c >= target.
std::optional<uint32_t> ceil_code(uint32_t target, int bits, StuckBits s, int parity);
/// The closer of floor and ceil; on a tie the one closer to `zero_code` (then the smaller).
std::optional<uint32_t> closest_code(uint32_t target, int bits, StuckBits s, int parity,
                                     uint32_t zero_code);

}  // namespace safsim
