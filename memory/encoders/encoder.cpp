// Dispatch to the per-scheme encoders.
#include "memory/encoders/encoder.h"

#include <fmt/format.h>

#include "memory/encoders/addsub.h"
#include "memory/encoders/c1.h"
#include "memory/encoders/lsb.h"
#include "memory/encoders/optimal.h"
#include "memory/encoders/secded.h"
#include "sim/errors.h"

namespace safsim {

void check_scheme_supports(MitigationScheme scheme, const WordFormat& fmt, int group_words) {
  if (scheme != MitigationScheme::kNone && fmt.is_float()) {
    throw UserError(fmt::format("mitigation.scheme {} needs an integer weight format, got {}",
                                to_string(scheme), to_string(fmt.format)));
  }
  if (group_words < 1) {
    throw UserError(fmt::format("mitigation.secded_group_words must be >= 1, got {}", group_words));
  }
  if (scheme != MitigationScheme::kSecded && group_words != 1) {
    throw UserError(fmt::format(
        "mitigation.secded_group_words is {} but applies only to scheme secded (scheme is {})",
        group_words, to_string(scheme)));
  }
  if (scheme == MitigationScheme::kSecded && fmt.bits * group_words > 64) {
    throw UserError(fmt::format(
        "mitigation.secded_group_words {} x {} weight bits exceeds the 64 data bits of one "
        "SEC-DED codeword",
        group_words, fmt.bits));
  }
}

int stored_word_bits(MitigationScheme scheme, const WordFormat& fmt, int group_words) {
  return scheme == MitigationScheme::kSecded ? secded_word_bits(fmt.bits, group_words) : fmt.bits;
}

uint32_t encode_word(MitigationScheme scheme, const WordFormat& fmt, uint32_t intended,
                     StuckBits stuck) {
  intended &= fmt.mask();
  if (fmt.is_float()) {
    return intended;  // check_scheme_supports allows only `none` here
  }
  const int32_t value = fmt.to_int(intended);
  switch (scheme) {
    case MitigationScheme::kNone:
      return intended;
    case MitigationScheme::kAddSub:
      return encode_addsub(fmt, value, stuck);
    case MitigationScheme::kLsb:
      return encode_lsb(fmt, value, stuck);
    case MitigationScheme::kC1:
      return encode_c1(fmt, value, stuck);
    case MitigationScheme::kOptimal:
      return encode_optimal(fmt, value, stuck);
    case MitigationScheme::kOptimalFlip:
      return encode_optimal_flip(fmt, value, stuck);
    case MitigationScheme::kSecded: {
      uint32_t stored = 0;
      secded_encode_group(fmt.bits, &intended, 1, &stored);
      return stored;
    }
  }
  return intended;
}

}  // namespace safsim
