// The scheme table: one row per deploy-time scheme, pointing at the functions of its own file.
#include <stdexcept>

#include "memory/encoders/addsub.h"
#include "memory/encoders/c1.h"
#include "memory/encoders/lsb.h"
#include "memory/encoders/optimal.h"
#include "memory/encoders/scheme.h"
#include "memory/encoders/secded.h"

namespace safsim {
namespace {

uint32_t store_as_is(const WordFormat&, uint32_t intended, StuckBits) { return intended; }
uint32_t read_as_is(const WordFormat& fmt, uint32_t stored) { return stored & fmt.mask(); }
DecoderCost no_decoder(const WordFormat& fmt, int) { return {0, 0, fmt.bits}; }
std::optional<uint32_t> deliver_as_is(const WordFormat& fmt, uint32_t word, StuckBits stuck) {
  word &= fmt.mask();
  return cells_hold(word, stuck) ? std::optional<uint32_t>(word) : std::nullopt;
}

/// Adapts an encoder of integer values to the table's word interface.
template <uint32_t (*Encode)(const WordFormat&, int32_t, StuckBits)>
uint32_t encode_value(const WordFormat& fmt, uint32_t intended, StuckBits stuck) {
  return Encode(fmt, fmt.to_int(intended), stuck);
}

}  // namespace

const std::vector<SchemeRow>& scheme_table() {
  // scheme, name, integer_only, ecc, max_group_data_bits, encode, decode, cost, deliver
  static const std::vector<SchemeRow> rows = {
      {MitigationScheme::kNone, "none", false, false, 0, store_as_is, read_as_is, no_decoder,
       nullptr},
      {MitigationScheme::kAddSub, "addsub", true, false, 0, encode_value<encode_addsub>, read_as_is,
       no_decoder, deliver_as_is},
      {MitigationScheme::kLsb, "lsb", true, false, 0, encode_value<encode_lsb>, decode_lsb,
       lsb_decoder_cost, deliver_lsb},
      {MitigationScheme::kC1, "c1", true, false, 0, encode_value<encode_c1>, decode_c1,
       c1_decoder_cost, deliver_c1},
      {MitigationScheme::kOptimal, "optimal", true, false, 0, encode_value<encode_optimal>,
       read_as_is, no_decoder, deliver_as_is},
      {MitigationScheme::kOptimalFlip, "optimal_flip", true, false, 0,
       encode_value<encode_optimal_flip>, decode_c1, c1_decoder_cost, deliver_c1},
      {MitigationScheme::kSecded, "secded", true, true, 64, secded_encode_word, decode_secded_word,
       secded_decoder_cost, nullptr},
  };
  return rows;
}

const SchemeRow& scheme_row(MitigationScheme s) {
  const auto& rows = scheme_table();
  const auto i = size_t(s);
  if (i >= rows.size() || rows[i].scheme != s) {
    throw std::logic_error("scheme_table(): rows must follow the MitigationScheme enum order");
  }
  return rows[i];
}

const char* to_string(MitigationScheme s) { return scheme_row(s).name; }

const std::vector<std::pair<const char*, MitigationScheme>>& mitigation_scheme_names() {
  static const std::vector<std::pair<const char*, MitigationScheme>> names = [] {
    std::vector<std::pair<const char*, MitigationScheme>> n;
    for (const SchemeRow& r : scheme_table()) {
      n.emplace_back(r.name, r.scheme);
    }
    return n;
  }();
  return names;
}

}  // namespace safsim
