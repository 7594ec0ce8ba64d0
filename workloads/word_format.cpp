// Integer and IEEE float weight words: the one place that maps stored bits to values.
#include "workloads/word_format.h"

#include <cstring>

namespace safsim {

const EnumNames<WeightFormat>& weight_format_names() {
  static const EnumNames<WeightFormat> names = {{"twos_complement", WeightFormat::kTwosComplement},
                                                {"offset_binary", WeightFormat::kOffsetBinary},
                                                {"fp32", WeightFormat::kFp32},
                                                {"fp16", WeightFormat::kFp16},
                                                {"bf16", WeightFormat::kBf16}};
  return names;
}

const char* to_string(WeightFormat f) {
  for (const auto& [name, value] : weight_format_names()) {
    if (value == f) {
      return name;
    }
  }
  return "?";
}

WordFormat make_word_format(WeightFormat format, int integer_bits) {
  switch (format) {
    case WeightFormat::kFp32:
      return {format, 32};
    case WeightFormat::kFp16:
    case WeightFormat::kBf16:
      return {format, 16};
    default:
      return {format, integer_bits};
  }
}

uint32_t WordFormat::to_word(int32_t value) const {
  if (format == WeightFormat::kOffsetBinary) {
    return static_cast<uint32_t>(value + offset()) & mask();
  }
  return static_cast<uint32_t>(value) & mask();
}

int32_t WordFormat::to_int(uint32_t word) const {
  word &= mask();
  if (format == WeightFormat::kOffsetBinary) {
    return static_cast<int32_t>(word) - offset();
  }
  // Two's complement: sign-extend bit Q-1.
  const uint32_t sign = 1u << (bits - 1);
  return static_cast<int32_t>((word ^ sign)) - static_cast<int32_t>(sign);
}

namespace {

uint32_t float_bits(float v) {
  uint32_t u;
  std::memcpy(&u, &v, sizeof u);
  return u;
}

float bits_float(uint32_t u) {
  float v;
  std::memcpy(&v, &u, sizeof v);
  return v;
}

// fp32 -> IEEE binary16, round to nearest even, with subnormals, inf and NaN.
uint32_t fp32_to_fp16(float value) {
  const uint32_t x = float_bits(value);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const int32_t exp = static_cast<int32_t>((x >> 23) & 0xFF);
  uint32_t mant = x & 0x7FFFFFu;
  if (exp == 0xFF) {
    return sign | 0x7C00u | (mant ? 0x200u : 0u);
  }
  int32_t e = exp - 127 + 15;
  if (e >= 0x1F) {
    return sign | 0x7C00u;
  }
  if (e <= 0) {
    if (e < -10) {
      return sign;
    }
    mant |= 0x800000u;
    const int shift = 14 - e;
    uint32_t half = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1u);
    const uint32_t halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (half & 1u))) {
      ++half;
    }
    return sign | half;
  }
  uint32_t half = (static_cast<uint32_t>(e) << 10) | (mant >> 13);
  const uint32_t rem = mant & 0x1FFFu;
  if (rem > 0x1000u || (rem == 0x1000u && (half & 1u))) {
    ++half;  // may carry into the exponent, which is the correct rounding
  }
  return sign | half;
}

float fp16_to_fp32(uint32_t h) {
  const uint32_t sign = (h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1Fu;
  uint32_t mant = h & 0x3FFu;
  if (exp == 0x1F) {
    return bits_float(sign | 0x7F800000u | (mant << 13));
  }
  if (exp == 0) {
    if (mant == 0) {
      return bits_float(sign);
    }
    int e = -1;
    do {
      ++e;
      mant <<= 1;
    } while ((mant & 0x400u) == 0);
    mant &= 0x3FFu;
    return bits_float(sign | (static_cast<uint32_t>(127 - 15 - e) << 23) | (mant << 13));
  }
  return bits_float(sign | ((exp + 127 - 15) << 23) | (mant << 13));
}

uint32_t fp32_to_bf16(float value) {
  const uint32_t x = float_bits(value);
  if ((x & 0x7F800000u) == 0x7F800000u && (x & 0x7FFFFFu)) {
    return (x >> 16) | 0x40u;  // keep NaN a NaN
  }
  const uint32_t rounding = 0x7FFFu + ((x >> 16) & 1u);
  return (x + rounding) >> 16;
}

}  // namespace

uint32_t WordFormat::from_float(float value) const {
  switch (format) {
    case WeightFormat::kFp16:
      return fp32_to_fp16(value);
    case WeightFormat::kBf16:
      return fp32_to_bf16(value);
    default:
      return float_bits(value);
  }
}

float WordFormat::to_float(uint32_t word) const {
  switch (format) {
    case WeightFormat::kFp16:
      return fp16_to_fp32(word & 0xFFFFu);
    case WeightFormat::kBf16:
      return bits_float((word & 0xFFFFu) << 16);
    default:
      return bits_float(word);
  }
}

}  // namespace safsim
