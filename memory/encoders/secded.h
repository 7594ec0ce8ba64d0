// Hamming SEC-DED, the classic alternative 001 §1 argues against: r check bits (2^r >= k + r + 1)
// plus an overall parity bit per k = G * Q data bits (one word, or a group of G words).
#pragma once

#include <cstdint>

#include "memory/encoders/scheme.h"

namespace safsim {

enum class SecdedStatus { kClean, kCorrected, kDetected };

/// Outcome of decoding one codeword: the data as delivered and what the decoder saw.
struct SecdedDecoded {
  uint64_t data = 0;
  SecdedStatus status = SecdedStatus::kClean;
};

/// A SEC-DED code over `data_bits` (1..64) data bits. Data bit j sits at Hamming position
/// pos(j), the j-th integer >= 3 that is not a power of two; check bit i covers the positions with
/// bit i set; the overall parity bit makes the codeword's ones even.
///   SecdedCode code(8);                         // (13, 8): 4 check bits + overall parity
///   uint32_t check = code.encode(0xA5);
///   SecdedDecoded d = code.decode(0xA5 ^ 0x04, check);  // d.data == 0xA5, kCorrected
class SecdedCode {
 public:
  explicit SecdedCode(int data_bits);

  int data_bits() const { return k_; }
  int hamming_bits() const { return r_; }
  /// Stored check cells: r Hamming bits + 1 overall parity bit.
  int check_bits() const { return r_ + 1; }

  /// Check bits (bit i < r: Hamming bit i, bit r: overall parity) for `data`.
  uint32_t encode(uint64_t data) const;
  /// Corrects one error anywhere in data or check bits; two errors are detected and the data
  /// is delivered as read (as would a memory controller that only flags them).
  SecdedDecoded decode(uint64_t data, uint32_t check) const;

  /// Read-path cost: 2-input XORs (syndrome, overall parity, correction) and 2-input AND
  /// equivalents of the error locator.
  int xor2_gates() const;
  int and2_gates() const { return k_ * (r_ - 1); }

 private:
  int k_;
  int r_;
};

/// Cells per stored word when G words of `bits` share one code: each word carries its Q data
/// bits and a slice of ceil((r + 1) / G) check cells (G = 8, Q = 8: 9 cells, the (72, 64) code).
int secded_word_bits(int bits, int group_words);

/// Encodes G data words into G stored words (data in bits [0, Q), check slice above).
void secded_encode_group(int bits, const uint32_t* data, int group_words, uint32_t* stored);
/// Decodes G stored words into G data words; returns what the decoder saw.
SecdedStatus secded_decode_group(int bits, const uint32_t* stored, int group_words, uint32_t* data);

/// The per-word code of the scheme table (a group of one word): encode ignores the stuck
/// cells, as ECC does; decode returns the corrected data bits.
uint32_t secded_encode_word(const WordFormat& fmt, uint32_t intended, StuckBits stuck);
uint32_t decode_secded_word(const WordFormat& fmt, uint32_t stored);
/// Syndrome + parity + correction, shared by `group_words` words (the cost of one group).
DecoderCost secded_decoder_cost(const WordFormat& fmt, int group_words);

}  // namespace safsim
