// A plain C++ NVM cell array with stuck-at cells: the reference model a March test runs on.
#pragma once

#include <cstdint>
#include <vector>

#include "memory/defect_map.h"
#include "memory/word_memory_if.h"

namespace safsim {

/// Every write goes through apply_stuck_bits(); reads return the cells. Counts accesses.
///   FaultyCellArray mem(defects);
///   mem.write(3, 0x00);  mem.read(3);  // the stuck-at-1 cells of word 3 read 1
class FaultyCellArray final : public WordMemoryIf {
 public:
  explicit FaultyCellArray(const DefectMap& defects);

  int64_t words() const override { return defects_.words(); }
  int word_bits() const override { return defects_.geometry().word_bits; }
  void write(int64_t addr, uint32_t word) override;
  uint32_t read(int64_t addr) override;

  int64_t reads() const { return reads_; }
  int64_t writes() const { return writes_; }

 private:
  const DefectMap& defects_;
  uint32_t word_mask_;
  std::vector<uint32_t> cells_;
  int64_t reads_ = 0;
  int64_t writes_ = 0;
};

}  // namespace safsim
