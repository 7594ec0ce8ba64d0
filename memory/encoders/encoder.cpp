// The scheme checks and the per-word encode, through the scheme table.
#include "memory/encoders/encoder.h"

#include <fmt/format.h>

#include "base/errors.h"

namespace safsim {

void check_scheme_supports(MitigationScheme scheme, const WordFormat& fmt, int group_words) {
  const SchemeRow& row = scheme_row(scheme);
  if (row.integer_only && fmt.is_float()) {
    throw UserError(fmt::format("mitigation.scheme {} needs an integer weight format, got {}",
                                row.name, to_string(fmt.format)));
  }
  if (group_words < 1) {
    throw UserError(fmt::format("mitigation.secded_group_words must be >= 1, got {}", group_words));
  }
  if (row.max_group_data_bits == 0 && group_words != 1) {
    throw UserError(fmt::format(
        "mitigation.secded_group_words is {} but applies only to scheme secded (scheme is {})",
        group_words, row.name));
  }
  if (row.max_group_data_bits > 0 && fmt.bits * group_words > row.max_group_data_bits) {
    throw UserError(fmt::format(
        "mitigation.secded_group_words {} x {} weight bits exceeds the {} data bits of one "
        "SEC-DED codeword",
        group_words, fmt.bits, row.max_group_data_bits));
  }
}

int stored_word_bits(MitigationScheme scheme, const WordFormat& fmt, int group_words) {
  return scheme_row(scheme).cost(fmt, group_words).stored_bits_per_word;
}

uint32_t encode_word(MitigationScheme scheme, const WordFormat& fmt, uint32_t intended,
                     StuckBits stuck) {
  intended &= fmt.mask();
  if (fmt.is_float()) {
    return intended;  // check_scheme_supports allows only `none` here
  }
  return scheme_row(scheme).encode(fmt, intended, stuck);
}

}  // namespace safsim
