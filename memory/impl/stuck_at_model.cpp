// Stuck-at cells of an NVM (001 §4.1.2): uniform, or in runs along word lines / bit lines.
#include <cmath>

#include "memory/impl/fault_models.h"

namespace safsim {
namespace {

/// Geometric skipping over the linear cell index (word * word_bits + bit) visits only the
/// defect seeds. Clustered patterns seed at rate * (1 - p) and extend every seed along its line
/// while a Bernoulli(p) succeeds: runs average 1 / (1 - p) cells, so the cell rate stays `rate`
/// (less the few cells where runs overlap or hit the end of a line).
class StuckAtModel final : public FaultModel {
 public:
  explicit StuckAtModel(const FaultModelSpec& s) : spec_(s) {
    check_range("stuck-at", "rate", s.rate, 0.0, 1.0);
    check_range("stuck-at", "sa1_fraction", s.sa1_fraction, 0.0, 1.0);
    check_range("stuck-at", "cluster_probability", s.cluster_probability, 0.0, 0.99);
  }

  FaultKind kind() const override { return FaultKind::kStuckAt; }

  FaultDraw draw(const FaultTarget& target, RandomStream rng) const override {
    FaultDraw d{DefectMap(target.geometry), {}};
    const BankGeometry& g = target.geometry;
    const double p = spec_.pattern == StuckAtPattern::kUniform ? 0.0 : spec_.cluster_probability;
    const double seed_rate = spec_.rate * (1.0 - p);
    if (seed_rate <= 0.0) {
      return d;
    }
    // Stuck values are keyed by cell, not by visiting order (per-cell random access).
    const RandomStream values = rng.substream(1);
    RandomStream runs = rng.substream(2);
    const int64_t cells = g.cells();
    const auto add = [&](int64_t cell) {
      const bool sa1 = values.uniform_at(uint64_t(cell)) < spec_.sa1_fraction;
      d.defects.add_stuck_cell(cell / g.word_bits, int(cell % g.word_bits), sa1);
    };
    for (int64_t c = int64_t(rng.geometric_gap(seed_rate)); c < cells && c >= 0;) {
      add(c);
      int64_t cur = c;
      while (p > 0.0 && runs.bernoulli(p)) {
        cur = next_on_line(g, cur);
        if (cur < 0) {
          break;
        }
        add(cur);
      }
      const uint64_t gap = rng.geometric_gap(seed_rate);
      if (gap >= uint64_t(cells)) {
        break;
      }
      c += 1 + int64_t(gap);
    }
    return d;
  }

 private:
  /// The next cell along the line of the pattern, or -1 past the end of the line.
  int64_t next_on_line(const BankGeometry& g, int64_t cell) const {
    if (spec_.pattern == StuckAtPattern::kWordLine) {
      // Cells of a row are contiguous in the linear index (docs/faults.md, "Address map").
      const int64_t next = cell + 1;
      return next % g.row_cells() == 0 ? -1 : next;
    }
    // Bit line: same bit of the word one row further down, within the bank.
    const int64_t word = cell / g.word_bits;
    const int64_t next_word = word + g.words_per_row;
    if (next_word / g.words_per_bank() != word / g.words_per_bank()) {
      return -1;
    }
    return cell + int64_t{g.words_per_row} * g.word_bits;
  }

  FaultModelSpec spec_;
};

}  // namespace

std::unique_ptr<FaultModel> make_stuck_at_model(const FaultModelSpec& spec) {
  return std::make_unique<StuckAtModel>(spec);
}

}  // namespace safsim
