// LSB Approximation, Algorithm 2 of 001 §3.2.1: the LSB is a flip flag; the read path XORs every
// bit with it (001 Fig. 7(a)), so the PE always sees LSB 0.
#pragma once

#include <cstdint>

#include "memory/defect_map.h"
#include "memory/word_format.h"

namespace safsim {

/// The word to write under `lsb`. Flip decision exactly as Algorithm 2 (lines 3-8): flip if b0 is
/// fault-free and the leftmost defect is non-silent, or if b0 is stuck at 1. The Add/Sub step
/// (lines 9-10) runs on the value the PE will see and keeps its lower-deviation option.
///   uint32_t w = encode_lsb(u8, u8.to_int(51), {0x80, 0x80});  // Fig. 4(a): w == 205, PE sees 50
uint32_t encode_lsb(const WordFormat& fmt, int32_t value, StuckBits stuck);

}  // namespace safsim
