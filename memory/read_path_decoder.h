// The read-path decoder: what the PE receives for a stored NVM word (001 Fig. 7 for C-1).
// One pure function, called by the NvmWeightBank model and by the functional engine.
#pragma once

#include <cstdint>

#include "memory/word_format.h"

namespace safsim {

/// Deploy-time mitigation scheme (key `mitigation.scheme`).
enum class MitigationScheme { kNone };

const char* to_string(MitigationScheme s);

/// Stored word (after stuck bits won) -> word delivered to the PE.
///   uint32_t w = decode_read_path(MitigationScheme::kNone, fmt, stored);  // identity
uint32_t decode_read_path(MitigationScheme scheme, const WordFormat& fmt, uint32_t stored);

/// A layer's read path: scheme + word format, turning stored words into PE operands.
struct ReadPath {
  MitigationScheme scheme = MitigationScheme::kNone;
  WordFormat format;

  uint32_t decode_word(uint32_t stored) const { return decode_read_path(scheme, format, stored); }
  int32_t decode_int(uint32_t stored) const { return format.to_int(decode_word(stored)); }
  float decode_float(uint32_t stored) const { return format.to_float(decode_word(stored)); }
};

}  // namespace safsim
