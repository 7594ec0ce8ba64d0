// The read-path decoders: what the PE receives for a stored NVM word (001 Fig. 7). One pure
// function per scheme, called by the NvmWeightBank model and by the functional engine.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "memory/word_format.h"

namespace safsim {

/// Deploy-time mitigation scheme (key `mitigation.scheme`, docs/faults.md).
enum class MitigationScheme {
  kNone,         // store the quantized word
  kAddSub,       // Algorithm 1 of 001, no read-path hardware
  kLsb,          // Algorithm 2 of 001, LSB flip flag
  kC1,           // Algorithm 3 of 001, odd count of ones = flipped
  kOptimal,      // nearest word the cells can hold (plain read path)
  kOptimalFlip,  // nearest C-1-decodable word (C-1 read path)
  kSecded,       // Hamming SEC-DED per word or per group of words
};

const char* to_string(MitigationScheme s);
/// Every scheme with its config / CLI name, in declaration order.
const std::vector<std::pair<const char*, MitigationScheme>>& mitigation_scheme_names();

/// None, Add/Sub, optimal: the word as stored.
uint32_t decode_none(const WordFormat& fmt, uint32_t stored);
/// LSB (001 Fig. 7(a)): every bit XOR b0, so the PE's LSB is always 0.
uint32_t decode_lsb(const WordFormat& fmt, uint32_t stored);
/// C-1 and optimal_flip (001 Fig. 7(b)): invert all Q bits iff the count of ones is odd.
uint32_t decode_c1(const WordFormat& fmt, uint32_t stored);
/// SEC-DED of one word (data in bits [0, Q), check cells above): corrected data bits.
uint32_t decode_secded_word(const WordFormat& fmt, uint32_t stored);

/// Stored word (after stuck bits won) -> word delivered to the PE, for per-word read paths
/// (every scheme except SEC-DED over groups, see ReadPath::decode_words).
///   uint32_t w = decode_read_path(MitigationScheme::kC1, fmt, stored);
uint32_t decode_read_path(MitigationScheme scheme, const WordFormat& fmt, uint32_t stored);

/// Cost of a decoder on the read path, per word read (001 §3.3 for LSB and C-1).
struct DecoderCost {
  int xor2_gates = 0;            // 2-input XOR equivalents (a Q-input XOR counts Q - 1)
  int and2_gates = 0;            // 2-input AND equivalents (SEC-DED error locator)
  int stored_bits_per_word = 0;  // cells per weight word, check bits included
};
/// LSB: Q - 1 XORs. C-1 / optimal_flip: (Q - 1) + Q. SEC-DED: syndrome + parity + correction,
/// shared by `group_words` words (the cost reported is per group).
DecoderCost decoder_cost(MitigationScheme scheme, const WordFormat& fmt, int group_words = 1);

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
