// The read path: what the PE receives for a stored NVM word (001 Fig. 7). Each scheme's decoder
// is a pure function of its own file (memory/encoders/), reached through the scheme table and
// called by the NvmWeightBank model and by the functional engine alike.
#pragma once

#include <cstdint>
#include <vector>

#include "memory/encoders/c1.h"
#include "memory/encoders/lsb.h"
#include "memory/encoders/scheme.h"
#include "memory/encoders/secded.h"
#include "workloads/word_format.h"

namespace safsim {

/// None, Add/Sub, optimal: the word as stored.
inline uint32_t decode_none(const WordFormat& fmt, uint32_t stored) { return stored & fmt.mask(); }

/// Stored word (after stuck bits won) -> word delivered to the PE, for per-word read paths
/// (every scheme except SEC-DED over groups, see ReadPath::decode_words).
///   uint32_t w = decode_read_path(MitigationScheme::kC1, fmt, stored);
inline uint32_t decode_read_path(MitigationScheme scheme, const WordFormat& fmt, uint32_t stored) {
  return scheme_row(scheme).decode(fmt, stored);
}

/// LSB: Q - 1 XORs. C-1 / optimal_flip: (Q - 1) + Q. SEC-DED: syndrome + parity + correction,
/// shared by `group_words` words (the cost reported is per group).
inline DecoderCost decoder_cost(MitigationScheme scheme, const WordFormat& fmt,
                                int group_words = 1) {
  return scheme_row(scheme).cost(fmt, group_words);
}

/// A layer's read path: scheme + word format, turning stored words into PE operands.
///   ReadPath rp{MitigationScheme::kC1, fmt};
///   int32_t w = rp.decode_int(stored);
///   std::vector<uint32_t> ops = rp.decode_words(layer_words);  // also handles SEC-DED groups
struct ReadPath {
  MitigationScheme scheme = MitigationScheme::kNone;
  WordFormat format;
  int group_words = 1;           // SEC-DED words per codeword; 1 for every other scheme
  int added_latency_cycles = 0;  // decoder delay added to every NVM read

  /// Per-word decode; valid whenever group_words == 1.
  uint32_t decode_word(uint32_t stored) const { return decode_read_path(scheme, format, stored); }
  int32_t decode_int(uint32_t stored) const { return format.to_int(decode_word(stored)); }
  float decode_float(uint32_t stored) const { return format.to_float(decode_word(stored)); }
  /// Decodes a whole layer's stored words (codeword groups start at the layer's first word).
  std::vector<uint32_t> decode_words(const std::vector<uint32_t>& stored) const;
};

}  // namespace safsim
