// The deploy-time mitigation schemes (`mitigation.scheme`, docs/faults.md) as one table: a row
// per scheme with its name, its encoder, its read-path decoder, its cost and what it supports.
// Adding a per-word scheme is one enum value, one row (scheme_table.cpp) and the scheme's own
// file with its encode and decode (docs/design.md, "How to add an encoder").
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "memory/defect_map.h"
#include "workloads/word_format.h"

namespace safsim {

/// Deploy-time mitigation scheme, in the order of scheme_table().
enum class MitigationScheme {
  kNone,         // store the quantized word
  kAddSub,       // Algorithm 1 of 001, no read-path hardware
  kLsb,          // Algorithm 2 of 001, LSB flip flag
  kC1,           // Algorithm 3 of 001, odd count of ones = flipped
  kOptimal,      // nearest word the cells can hold (plain read path)
  kOptimalFlip,  // nearest C-1-decodable word (C-1 read path)
  kSecded,       // Hamming SEC-DED per word or per group of words
};

/// Cost of a decoder on the read path, per word read (001 §3.3 for LSB and C-1).
struct DecoderCost {
  int xor2_gates = 0;            // 2-input XOR equivalents (a Q-input XOR counts Q - 1)
  int and2_gates = 0;            // 2-input AND equivalents (SEC-DED error locator)
  int stored_bits_per_word = 0;  // cells per weight word, check bits included
};

/// One scheme. Per-word functions take and return words of the format (low `bits` of a uint32).
struct SchemeRow {
  MitigationScheme scheme;
  const char* name;   // config and CLI name
  bool integer_only;  // needs an integer weight format (all but `none`)
  bool ecc;           // a code over the data that ignores the stuck cells (SEC-DED)
  /// Words per codeword the scheme accepts (`mitigation.secded_group_words`): 1, or more for
  /// codes over groups of words, whose group data bits are limited to max_group_data_bits.
  int max_group_data_bits;
  /// Intended word + the stuck cells of its NVM word -> the word to write.
  uint32_t (*encode)(const WordFormat& fmt, uint32_t intended, StuckBits stuck);
  /// Stored word (after stuck bits won) -> the word the PE receives.
  uint32_t (*decode)(const WordFormat& fmt, uint32_t stored);
  /// Gates and cells of the read path, per group of `group_words` words.
  DecoderCost (*cost)(const WordFormat& fmt, int group_words);
  /// A word to write that the cells hold as written and the read path decodes to exactly
  /// `word`; none if the stuck cells allow none. nullptr for the schemes that do not encode
  /// around the map (none, secded), which mitigation.ties leaves alone.
  std::optional<uint32_t> (*deliver)(const WordFormat& fmt, uint32_t word, StuckBits stuck);
};

/// Every scheme, in enum order.
const std::vector<SchemeRow>& scheme_table();
const SchemeRow& scheme_row(MitigationScheme s);

const char* to_string(MitigationScheme s);
/// Every scheme with its config / CLI name, in declaration order.
const std::vector<std::pair<const char*, MitigationScheme>>& mitigation_scheme_names();

}  // namespace safsim
