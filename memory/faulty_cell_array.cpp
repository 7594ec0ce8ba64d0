// Stuck-at cell array.
#include "memory/faulty_cell_array.h"

namespace safsim {

FaultyCellArray::FaultyCellArray(const DefectMap& defects)
    : defects_(defects),
      word_mask_(defects.geometry().word_bits >= 32 ? 0xFFFFFFFFu
                                                    : (1u << defects.geometry().word_bits) - 1u),
      cells_(size_t(defects.words()), 0u) {
  // Power-up state: the stuck cells already show their values.
  for (int64_t a = 0; a < defects.words(); ++a) {
    cells_[size_t(a)] = apply_stuck_bits(0u, defects.at(a));
  }
}

void FaultyCellArray::write(int64_t addr, uint32_t word) {
  ++writes_;
  cells_[size_t(addr)] = apply_stuck_bits(word & word_mask_, defects_.at(addr));
}

uint32_t FaultyCellArray::read(int64_t addr) {
  ++reads_;
  return cells_[size_t(addr)];
}

}  // namespace safsim
