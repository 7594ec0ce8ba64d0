// The word-level port of a weight memory that a self-test drives: write a word, read it back.
// Implemented by the plain FaultyCellArray and, in the cycle engine, by NvmWeightBank.
#pragma once

#include <cstdint>

namespace safsim {

/// A memory of words() words of word_bits() cells.
///   mem.write(addr, 0xFF);
///   uint32_t w = mem.read(addr);  // 0xFF unless a cell is stuck
class WordMemoryIf {
 public:
  virtual ~WordMemoryIf() = default;
  virtual int64_t words() const = 0;
  virtual int word_bits() const = 0;
  virtual void write(int64_t addr, uint32_t word) = 0;
  virtual uint32_t read(int64_t addr) = 0;
};

}  // namespace safsim
