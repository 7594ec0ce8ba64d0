// An on-chip SRAM buffer (ifmap or ofmap/psum): capacity per half (double-buffered), banks of
// word_bits, `ports` accesses per bank per cycle. Word w lives in bank w % banks. It counts every
// word access and tells the caller how many cycles an access needs (bank conflicts).
#pragma once

#include <cstdint>
#include <systemc>
#include <vector>

#include "memory/memory_config.h"

namespace safsim {

class Tracer;

struct SramStats {
  uint64_t reads = 0;            // word reads
  uint64_t writes = 0;           // word writes
  uint64_t conflict_cycles = 0;  // extra cycles accesses needed because of bank conflicts

  template <class F>
  void visit(F&& f) {
    f("reads", reads);
    f("writes", writes);
    f("conflict_cycles", conflict_cycles);
  }
};

/// Access port of a buffer. Calls return the cycles the banks are busy (>= 1).
///   int cycles = ifmap->read_run(first_byte, bytes, cycle);
class SramIf : public virtual sc_core::sc_interface {
 public:
  /// Reads the bytes [first_byte, first_byte + bytes) as one access (all banks in parallel).
  virtual int read_run(uint64_t first_byte, uint64_t bytes, uint64_t cycle) = 0;
  /// Counts a bulk transfer (psum accumulation, post-processing) without timing.
  virtual void count_reads(uint64_t bytes) = 0;
  virtual void count_writes(uint64_t bytes) = 0;
  /// Cycles from the end of an access to the data being usable (0 with ideal memory).
  virtual int read_latency_cycles() const = 0;
};

class SramBuffer : public sc_core::sc_module, public SramIf {
 public:
  SramBuffer(const sc_core::sc_module_name& name, const SramConfig& cfg, bool ideal);

  int read_run(uint64_t first_byte, uint64_t bytes, uint64_t cycle) override;
  void count_reads(uint64_t bytes) override { stats_.reads += words(bytes); }
  void count_writes(uint64_t bytes) override { stats_.writes += words(bytes); }

  uint64_t words(uint64_t bytes) const { return (bytes + word_bytes_ - 1) / word_bytes_; }
  const SramStats& stats() const { return stats_; }
  int read_latency_cycles() const override { return ideal_ ? 0 : cfg_.read_latency_cycles; }
  void trace(Tracer& tracer);
  using sc_core::sc_object::trace;  // SystemC's own overload stays visible (-Woverloaded-virtual)

 private:
  SramConfig cfg_;
  bool ideal_;
  uint64_t word_bytes_;
  SramStats stats_;
  Tracer* tracer_ = nullptr;
  struct Shadow {
    uint64_t first_word = 0;
    uint32_t words = 0, cycles = 0;
  } shadow_;
};

}  // namespace safsim
