// Read-path decoders of the deploy-time schemes.
#include "memory/read_path_decoder.h"

#include <stdexcept>

#include "memory/encoders/secded.h"

namespace safsim {

const std::vector<std::pair<const char*, MitigationScheme>>& mitigation_scheme_names() {
  static const std::vector<std::pair<const char*, MitigationScheme>> names = {
      {"none", MitigationScheme::kNone},       {"addsub", MitigationScheme::kAddSub},
      {"lsb", MitigationScheme::kLsb},         {"c1", MitigationScheme::kC1},
      {"optimal", MitigationScheme::kOptimal}, {"optimal_flip", MitigationScheme::kOptimalFlip},
      {"secded", MitigationScheme::kSecded}};
  return names;
}

const char* to_string(MitigationScheme s) {
  for (const auto& n : mitigation_scheme_names()) {
    if (n.second == s) {
      return n.first;
    }
  }
  return "?";
}

uint32_t decode_none(const WordFormat& fmt, uint32_t stored) { return stored & fmt.mask(); }

uint32_t decode_lsb(const WordFormat& fmt, uint32_t stored) {
  const uint32_t flag = stored & 1u;
  return (stored ^ (flag ? fmt.mask() : 0u)) & fmt.mask() & ~1u;
}

uint32_t decode_c1(const WordFormat& fmt, uint32_t stored) {
  const uint32_t w = stored & fmt.mask();
  return __builtin_parity(w) ? w ^ fmt.mask() : w;
}

uint32_t decode_secded_word(const WordFormat& fmt, uint32_t stored) {
  uint32_t data = 0;
  secded_decode_group(fmt.bits, &stored, 1, &data);
  return data;
}

uint32_t decode_read_path(MitigationScheme scheme, const WordFormat& fmt, uint32_t stored) {
  switch (scheme) {
    case MitigationScheme::kNone:
    case MitigationScheme::kAddSub:
    case MitigationScheme::kOptimal:
      return decode_none(fmt, stored);
    case MitigationScheme::kLsb:
      return decode_lsb(fmt, stored);
    case MitigationScheme::kC1:
    case MitigationScheme::kOptimalFlip:
      return decode_c1(fmt, stored);
    case MitigationScheme::kSecded:
      return decode_secded_word(fmt, stored);
  }
  return decode_none(fmt, stored);
}

DecoderCost decoder_cost(MitigationScheme scheme, const WordFormat& fmt, int group_words) {
  DecoderCost c;
  const int q = fmt.bits;
  c.stored_bits_per_word = q;
  switch (scheme) {
    case MitigationScheme::kNone:
    case MitigationScheme::kAddSub:
    case MitigationScheme::kOptimal:
      break;
    case MitigationScheme::kLsb:
      c.xor2_gates = q - 1;  // b0 XOR b0 is the constant 0 (001 §3.3: N - 1 gates)
      break;
    case MitigationScheme::kC1:
    case MitigationScheme::kOptimalFlip:
      c.xor2_gates = (q - 1) + q;  // Q-input parity + Q conditional flips (001 §3.3)
      break;
    case MitigationScheme::kSecded: {
      const SecdedCode code(q * group_words);
      c.xor2_gates = code.xor2_gates();
      c.and2_gates = code.and2_gates();
      c.stored_bits_per_word = secded_word_bits(q, group_words);
      break;
    }
  }
  return c;
}

std::vector<uint32_t> ReadPath::decode_words(const std::vector<uint32_t>& stored) const {
  std::vector<uint32_t> out(stored.size());
  if (scheme != MitigationScheme::kSecded || group_words <= 1) {
    for (size_t i = 0; i < stored.size(); ++i) {
      out[i] = decode_word(stored[i]);
    }
    return out;
  }
  const auto g = size_t(group_words);
  if (stored.size() % g != 0) {
    throw std::logic_error("SEC-DED layer is not a whole number of codeword groups");
  }
  for (size_t i = 0; i < stored.size(); i += g) {
    secded_decode_group(format.bits, &stored[i], group_words, &out[i]);
  }
  return out;
}

}  // namespace safsim
