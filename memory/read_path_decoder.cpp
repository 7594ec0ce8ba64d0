// A layer's read path over its stored words, codeword groups included.
#include "memory/read_path_decoder.h"

#include <stdexcept>

namespace safsim {

std::vector<uint32_t> ReadPath::decode_words(const std::vector<uint32_t>& stored) const {
  std::vector<uint32_t> out(stored.size());
  if (group_words <= 1) {
    const SchemeRow& row = scheme_row(scheme);
    for (size_t i = 0; i < stored.size(); ++i) {
      out[i] = row.decode(format, stored[i]);
    }
    return out;
  }
  if (!scheme_row(scheme).ecc) {
    throw std::logic_error("codeword groups of more than one word need an ECC scheme");
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
