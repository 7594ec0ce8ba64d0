// Permanent stuck-at defects of an NVM weight memory: per word, which cells are stuck and at
// what value. Holds the one "stuck bits win" rule every model and encoder uses.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "base/errors.h"

namespace safsim {

/// Largest memory a defect-map file may describe: 2^28 words (2 GiB of map in RAM; a 1 GiB
/// NVM of 8-bit words fits). The deployed models are far smaller (docs/limits.md).
constexpr int64_t kMaxDefectMapWords = int64_t{1} << 28;

/// A defect-map file is unreadable, corrupt, or does not fit the memory: "file:line: what".
class DefectMapError : public UserError {
 public:
  using UserError::UserError;
};

/// Stuck cells of one word: bit i is stuck iff `mask` bit i is set, at `values` bit i.
struct StuckBits {
  uint32_t mask = 0;
  uint32_t values = 0;  // only bits under `mask` are meaningful

  bool operator==(const StuckBits& o) const { return mask == o.mask && values == o.values; }
};

/// THE stuck-at rule: the word a cell array holds after `written` is written to it.
///   apply_stuck_bits(0b1010, /*mask=*/0b0011, /*values=*/0b0001) == 0b1001
inline uint32_t apply_stuck_bits(uint32_t written, uint32_t mask, uint32_t values) {
  return (written & ~mask) | (values & mask);
}
inline uint32_t apply_stuck_bits(uint32_t written, StuckBits s) {
  return apply_stuck_bits(written, s.mask, s.values);
}
/// Whether the cells hold `word` as written: every stuck cell already has the word's bit.
inline bool cells_hold(uint32_t word, StuckBits s) { return (s.mask & (word ^ s.values)) == 0; }

/// Shape of the NVM: `banks` banks of `rows_per_bank` word lines, each holding `words_per_row`
/// words of `word_bits` cells. Word address a lives in bank a / words_per_bank(), row
/// (a % words_per_bank()) / words_per_row, and cells [k * word_bits, (k+1) * word_bits) of that
/// row with k = a % words_per_row (docs/faults.md, "Address map").
struct BankGeometry {
  int banks = 1;
  int64_t rows_per_bank = 1;
  int words_per_row = 1;
  int word_bits = 8;

  int64_t words_per_bank() const { return rows_per_bank * words_per_row; }
  int64_t words() const { return words_per_bank() * banks; }
  int64_t row_cells() const { return int64_t{words_per_row} * word_bits; }
  int64_t cells() const { return words() * word_bits; }
  bool operator==(const BankGeometry& o) const {
    return banks == o.banks && rows_per_bank == o.rows_per_bank &&
           words_per_row == o.words_per_row && word_bits == o.word_bits;
  }
  bool operator!=(const BankGeometry& o) const { return !(*this == o); }
};

/// The smallest single-bank geometry with `words_per_row` words per word line that holds `words`
/// words of `word_bits` cells.
BankGeometry geometry_for_words(int64_t words, int word_bits, int words_per_row);

/// Per-word stuck masks and values over a whole memory (dense: 8 bytes per word).
///   DefectMap m(geometry, /*seed=*/42, /*trial=*/0);
///   m.add_stuck_cell(/*word=*/17, /*bit=*/3, /*value=*/true);
///   uint32_t in_cell = apply_stuck_bits(written, m.at(17));
class DefectMap {
 public:
  DefectMap() = default;
  /// An empty map of `geometry`; `seed` and `trial` record where it came from (file header).
  explicit DefectMap(const BankGeometry& geometry, uint64_t seed = 0, uint64_t trial = 0);

  const BankGeometry& geometry() const { return geometry_; }
  uint64_t seed() const { return seed_; }
  uint64_t trial() const { return trial_; }
  int64_t words() const { return static_cast<int64_t>(mask_.size()); }
  StuckBits at(int64_t word) const { return {mask_[size_t(word)], values_[size_t(word)]}; }

  void set(int64_t word, StuckBits s);
  /// Records the seed and trial the map was drawn with (written to the file header).
  void set_origin(uint64_t seed, uint64_t trial) {
    seed_ = seed;
    trial_ = trial;
  }
  /// Marks one cell stuck; a cell already stuck keeps its first value. Returns true if new.
  bool add_stuck_cell(int64_t word, int bit, bool value);

  int64_t defective_cells() const;
  int64_t stuck_at_one_cells() const;
  /// Same geometry and the same stuck cells (origin ignored).
  bool same_defects(const DefectMap& o) const {
    return geometry_ == o.geometry_ && mask_ == o.mask_ && values_ == o.values_;
  }
  /// same_defects() and the same origin (seed, trial).
  bool operator==(const DefectMap& o) const;

 private:
  BankGeometry geometry_;
  uint64_t seed_ = 0;
  uint64_t trial_ = 0;
  std::vector<uint32_t> mask_;
  std::vector<uint32_t> values_;
};

/// Writes the documented text format (docs/faults.md, "Defect-map files"): a header with the
/// geometry, word bits, seed, trial, defect count and FNV-1a checksum, then one `word bit value`
/// line per stuck cell in address order.
void write_defect_map(std::ostream& out, const DefectMap& m);
/// Parses that format; any problem throws DefectMapError "source:line: what".
DefectMap read_defect_map(std::istream& in, const std::string& source_name);
void save_defect_map(const DefectMap& m, const std::string& path);
DefectMap load_defect_map(const std::string& path);

/// Throws DefectMapError unless `m` was made for `memory` (same geometry and word bits).
void check_defect_map_fits(const DefectMap& m, const BankGeometry& memory,
                           const std::string& source_name);

}  // namespace safsim
