// The deploy-time encoders behind `mitigation.scheme`: intended word + the stuck cells of its
// NVM word -> the word to write. Their read-path decoders are in memory/read_path_decoder.h.
#pragma once

#include <cstdint>

#include "memory/defect_map.h"
#include "memory/encoders/scheme.h"
#include "memory/read_path_decoder.h"
#include "workloads/word_format.h"

namespace safsim {

/// Throws UserError unless `scheme` works with `fmt` (every scheme but `none` needs an integer
/// format; SEC-DED needs G * Q <= 64) and `group_words` is 1 for every scheme but SEC-DED.
void check_scheme_supports(MitigationScheme scheme, const WordFormat& fmt, int group_words);

/// Cells per stored word for `scheme` (Q, or Q plus the SEC-DED check slice).
int stored_word_bits(MitigationScheme scheme, const WordFormat& fmt, int group_words);

/// The word to write so that, after the stuck bits win, the read path delivers a value close to
/// `intended` (a word of `fmt`, in range), by the scheme's row of the table; SEC-DED here
/// is the per-word code (groups: secded_encode_group) and ignores the stuck cells, as ECC does.
///   uint32_t written = encode_word(MitigationScheme::kC1, fmt, fmt.to_word(-3), stuck);
///   uint32_t stored = apply_stuck_bits(written, stuck);
///   int32_t seen = fmt.to_int(decode_read_path(MitigationScheme::kC1, fmt, stored));
uint32_t encode_word(MitigationScheme scheme, const WordFormat& fmt, uint32_t intended,
                     StuckBits stuck);

}  // namespace safsim
