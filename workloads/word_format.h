// How a weight is laid out in one NVM word: integer (two's complement or offset-binary) or an
// IEEE float bit pattern (fp32/fp16/bf16, as in 003). Words are held in the low `bits` of a uint32.
#pragma once

#include <cstdint>
#include <string>

#include "base/enum_names.h"

namespace safsim {

enum class WeightFormat { kTwosComplement, kOffsetBinary, kFp32, kFp16, kBf16 };

/// Every format with its config name (`quant.weight_format`), in declaration order.
const EnumNames<WeightFormat>& weight_format_names();
const char* to_string(WeightFormat f);

/// One weight word. Integer formats use the symmetric range [-(2^(Q-1)-1), 2^(Q-1)-1];
/// offset-binary stores v + (2^(Q-1)-1), so zero is 0x7FFF at Q = 16 (001 §4.1.2).
///   WordFormat f{WeightFormat::kTwosComplement, 8};
///   uint32_t w = f.to_word(-3);   // 0xFD
///   int32_t v = f.to_int(w);      // -3
struct WordFormat {
  WeightFormat format = WeightFormat::kTwosComplement;
  int bits = 8;  // stored bits per word: 2..16 for integers, 32 (fp32) or 16 (fp16, bf16)

  bool is_float() const { return format >= WeightFormat::kFp32; }
  uint32_t mask() const { return bits >= 32 ? 0xFFFFFFFFu : (1u << bits) - 1u; }
  int32_t max_value() const { return (1 << (bits - 1)) - 1; }  // integer formats
  int32_t min_value() const { return -max_value(); }           // symmetric quantization range
  int32_t offset() const { return max_value(); }               // offset-binary zero point

  /// Integer value -> stored word (value must be in [min_value(), max_value()]).
  uint32_t to_word(int32_t value) const;
  /// Stored word -> integer value. Defined for every word, including those only a fault can
  /// produce (0x80 at Q=8 two's complement is -128; all-ones offset-binary is 2^(Q-1)).
  int32_t to_int(uint32_t word) const;
  /// Float formats: value -> bit pattern (round to nearest even) and back.
  uint32_t from_float(float value) const;
  float to_float(uint32_t word) const;
};

/// Builds the word format for `format` and the integer bit width (ignored for float formats).
WordFormat make_word_format(WeightFormat format, int integer_bits);

}  // namespace safsim
