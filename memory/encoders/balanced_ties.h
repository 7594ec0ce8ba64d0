// mitigation.ties balanced: among the encodings of equal deviation, the one that keeps the output
// channel's running deviation nearest zero (error feedback along the reduction, docs/faults.md).
#pragma once

#include <cstdint>

#include "memory/defect_map.h"
#include "memory/encoders/scheme.h"
#include "workloads/word_format.h"

namespace safsim {

/// A word to write and the deviation (decoded value - intended value, in LSBs) it delivers
/// through the stuck cells the encoder knows.
struct TieChoice {
  uint32_t word = 0;
  int32_t deviation = 0;
};

/// The deviation `written` delivers for `value` through the stuck cells `known`.
int32_t delivered_deviation(MitigationScheme scheme, const WordFormat& fmt, int32_t value,
                            uint32_t written, StuckBits known);

/// The scheme wrote `literal` for `value`, delivering value + d. The candidates are the values
/// value + e in the quantized range [-(2^(Q-1)-1), 2^(Q-1)-1] that the scheme's read path can
/// deliver through the `known` cells: with slack 0 only e = -d (the equal, opposite deviation),
/// with slack s >= 1 every |e| <= |d| + s. Writes the candidate that brings `running` (the
/// channel's deviation so far) closest to zero, then the one of smaller |e|, if it beats the
/// literal word on that order; otherwise keeps `literal`. Schemes without a deliver function
/// keep `literal`.
///   slack 0, running = 0, literal delivers +1  -> kept (|0 + 1| == |0 - 1|)
///   slack 0, running = 1, literal delivers +1  -> value - 1 if the cells allow it (running 0)
TieChoice balance_tie(MitigationScheme scheme, const WordFormat& fmt, int32_t value,
                      uint32_t literal, StuckBits known, int64_t running, int slack);

}  // namespace safsim
