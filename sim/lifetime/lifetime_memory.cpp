// LifetimeMemory: writes through the deploy-time encoders, reads through the stuck-at rule.
#include "sim/lifetime/lifetime_memory.h"

#include <fmt/format.h>

#include "base/errors.h"
#include "memory/deployment.h"
#include "memory/encoders/encoder.h"
#include "memory/faulty_cell_array.h"

namespace safsim {

LifetimeMemory::LifetimeMemory(const QuantModel& qm, const MitigationConfig& mitigation)
    : qm_(qm), mitigation_(mitigation) {
  if (scheme_row(mitigation.scheme).ecc && mitigation.secded_group_words != 1) {
    throw UserError(fmt::format(
        "safsim lifetime writes word by word: mitigation.secded_group_words must be 1, got {}",
        mitigation.secded_group_words));
  }
  check_scheme_supports(mitigation.scheme, qm.weight_format, 1);
  spans_ = weight_address_map(qm, 1);
  const int64_t words = spans_.empty() ? 0 : spans_.back().first_word + spans_.back().words;
  const int word_bits = stored_word_bits(mitigation.scheme, qm.weight_format, 1);
  truth_ = DefectMap(geometry_for_words(words, word_bits, 1));
  const WordFormat& fmt = qm.weight_format;
  intended_.assign(size_t(truth_.words()), fmt.is_float() ? 0u : fmt.to_word(0));
  for (const LayerSpan& s : spans_) {
    const std::vector<uint32_t>& w = qm.layers[size_t(s.layer_index)].weight_words;
    std::copy(w.begin(), w.end(), intended_.begin() + s.first_word);
  }
  write(truth_);  // age 0: no stuck cell yet
}

void LifetimeMemory::write(const DefectMap& known) {
  written_.resize(intended_.size());
  for (size_t a = 0; a < intended_.size(); ++a) {
    written_[a] =
        encode_word(mitigation_.scheme, qm_.weight_format, intended_[a], known.at(int64_t(a)));
  }
  upsets_.assign(intended_.size(), 0u);
}

void LifetimeMemory::upset(int64_t cell) {
  const int bits = truth_.geometry().word_bits;
  upsets_[size_t(cell / bits)] ^= 1u << (cell % bits);
}

void LifetimeMemory::add_defect(int64_t cell, bool value) {
  const int bits = truth_.geometry().word_bits;
  truth_.add_stuck_cell(cell / bits, int(cell % bits), value);
}

MarchResult LifetimeMemory::march_and_rewrite() {
  FaultyCellArray cells(truth_);
  MarchResult r = run_march_c_minus(cells, truth_.geometry(), {});
  write(r.discovered);
  return r;
}

DeployedWeights LifetimeMemory::deployed() const {
  DeployedWeights d;
  d.read_path = {mitigation_.scheme, qm_.weight_format, 1, mitigation_.decoder_latency_cycles};
  d.stored.resize(qm_.layers.size());
  for (const LayerSpan& s : spans_) {
    std::vector<uint32_t>& out = d.stored[size_t(s.layer_index)];
    out.resize(size_t(s.words));
    for (int64_t i = 0; i < s.words; ++i) {
      const int64_t a = s.first_word + i;
      out[size_t(i)] = apply_stuck_bits(written_[size_t(a)] ^ upsets_[size_t(a)], truth_.at(a));
    }
  }
  return d;
}

int64_t LifetimeMemory::upset_cells() const {
  int64_t n = 0;
  for (size_t a = 0; a < upsets_.size(); ++a) {
    n += __builtin_popcount(upsets_[a] & ~truth_.at(int64_t(a)).mask);
  }
  return n;
}

}  // namespace safsim
