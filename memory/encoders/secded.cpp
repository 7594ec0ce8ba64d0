// Hamming SEC-DED codec and its word-group layout.
#include "memory/encoders/secded.h"

#include <array>
#include <cstddef>

namespace safsim {
namespace {

/// pos(j) for j = 0..63: the integers >= 3 that are not powers of two, in order.
constexpr std::array<uint32_t, 64> make_positions() {
  std::array<uint32_t, 64> p{};
  uint32_t v = 3;
  for (int j = 0; j < 64; ++j) {
    while ((v & (v - 1)) == 0) {
      ++v;
    }
    p[size_t(j)] = v++;
  }
  return p;
}
constexpr std::array<uint32_t, 64> kPosition = make_positions();

int parity64(uint64_t x) { return __builtin_parityll(x); }

uint32_t syndrome_of(uint64_t data) {
  uint32_t s = 0;
  while (data != 0) {
    s ^= kPosition[size_t(__builtin_ctzll(data))];
    data &= data - 1;
  }
  return s;
}

int check_slice_bits(int check_bits, int group_words) {
  return (check_bits + group_words - 1) / group_words;
}

}  // namespace

SecdedCode::SecdedCode(int data_bits) : k_(data_bits), r_(2) {
  while ((1 << r_) < k_ + r_ + 1) {
    ++r_;
  }
}

uint32_t SecdedCode::encode(uint64_t data) const {
  const uint32_t c = syndrome_of(data);
  const uint32_t overall = uint32_t(parity64(data) ^ __builtin_parity(c));
  return c | (overall << r_);
}

SecdedDecoded SecdedCode::decode(uint64_t data, uint32_t check) const {
  const uint32_t hamming = check & ((1u << r_) - 1u);
  const uint32_t s = syndrome_of(data) ^ hamming;
  const int odd = parity64(data) ^ __builtin_parity(check & ((2u << r_) - 1u));
  SecdedDecoded out{data, SecdedStatus::kClean};
  if (s == 0 && odd == 0) {
    return out;
  }
  if (odd == 0) {
    out.status = SecdedStatus::kDetected;  // an even number (>= 2) of errors
    return out;
  }
  out.status = SecdedStatus::kCorrected;
  if (s == 0 || (s & (s - 1)) == 0) {
    return out;  // the overall bit or a Hamming bit was wrong: data is fine
  }
  for (int j = 0; j < k_; ++j) {
    if (kPosition[size_t(j)] == s) {
      out.data ^= uint64_t{1} << j;
      return out;
    }
  }
  out.status = SecdedStatus::kDetected;  // syndrome points past the codeword: >= 3 errors
  return out;
}

int SecdedCode::xor2_gates() const {
  int syndrome = 0;
  for (int i = 0; i < r_; ++i) {
    for (int j = 0; j < k_; ++j) {
      syndrome += (kPosition[size_t(j)] >> i) & 1u;  // c_i + 1 inputs: c_i gates
    }
  }
  return syndrome + (k_ + r_) + k_;  // + overall parity over k + r + 1 bits + correction
}

int secded_word_bits(int bits, int group_words) {
  const SecdedCode code(bits * group_words);
  return bits + check_slice_bits(code.check_bits(), group_words);
}

void secded_encode_group(int bits, const uint32_t* data, int group_words, uint32_t* stored) {
  const SecdedCode code(bits * group_words);
  const int slice = check_slice_bits(code.check_bits(), group_words);
  const uint32_t dmask = (1u << bits) - 1u;
  uint64_t d = 0;
  for (int j = 0; j < group_words; ++j) {
    d |= uint64_t(data[j] & dmask) << (j * bits);
  }
  const uint32_t check = code.encode(d);
  for (int j = 0; j < group_words; ++j) {
    const uint32_t part = (check >> (j * slice)) & ((1u << slice) - 1u);
    stored[j] = (data[j] & dmask) | (part << bits);
  }
}

SecdedStatus secded_decode_group(int bits, const uint32_t* stored, int group_words,
                                 uint32_t* data) {
  const SecdedCode code(bits * group_words);
  const int slice = check_slice_bits(code.check_bits(), group_words);
  const uint32_t dmask = (1u << bits) - 1u;
  uint64_t d = 0;
  uint32_t check = 0;
  for (int j = 0; j < group_words; ++j) {
    d |= uint64_t(stored[j] & dmask) << (j * bits);
    check |= ((stored[j] >> bits) & ((1u << slice) - 1u)) << (j * slice);
  }
  const SecdedDecoded out = code.decode(d, check & ((1u << code.check_bits()) - 1u));
  for (int j = 0; j < group_words; ++j) {
    data[j] = uint32_t(out.data >> (j * bits)) & dmask;
  }
  return out.status;
}

uint32_t secded_encode_word(const WordFormat& fmt, uint32_t intended, StuckBits) {
  uint32_t stored = 0;
  secded_encode_group(fmt.bits, &intended, 1, &stored);
  return stored;
}

uint32_t decode_secded_word(const WordFormat& fmt, uint32_t stored) {
  uint32_t data = 0;
  secded_decode_group(fmt.bits, &stored, 1, &data);
  return data;
}

DecoderCost secded_decoder_cost(const WordFormat& fmt, int group_words) {
  const SecdedCode code(fmt.bits * group_words);
  return {code.xor2_gates(), code.and2_gates(), secded_word_bits(fmt.bits, group_words)};
}

}  // namespace safsim
