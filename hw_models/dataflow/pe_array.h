// What every dataflow's PE array module has in common: its shape, clock, event counters, the
// register view of one PE (traces, tests) and the psum-access watcher of scheduled ofmap flips.
#pragma once

#include <cstdint>
#include <string>
#include <systemc>
#include <vector>

#include "hw_models/pe.h"

namespace safsim {

class Tracer;

/// Told of every psum accumulator access while watching() (scheduled flips in the ofmap/psum
/// buffer): `entry` points at the accumulator (int64_t or float); `overwrite` when it is written
/// without being read (a first row fold, or an output-stationary result).
class PsumWatcher {
 public:
  virtual ~PsumWatcher() = default;
  virtual bool watching() const = 0;
  virtual void on_psum_access(const void* entry, bool overwrite, uint64_t cycle) = 0;
};

/// Event counters of the array (docs/design.md, "Statistics").
struct ArrayStats {
  uint64_t stationary_rows_loaded = 0;  // ws: weight rows, is: input rows shifted in
  uint64_t vectors_streamed = 0;        // vectors that entered the array's edge(s)
  uint64_t busy_cycles = 0;             // posedges with a vector in flight or a row shifting

  template <class F>
  void visit(F&& f) {
    f("stationary_rows_loaded", stationary_rows_loaded);
    f("vectors_streamed", vectors_streamed);
    f("busy_cycles", busy_cycles);
  }
};

/// The R x C PEs of one dataflow, stepped by a clocked process.
///   PeArray& a = accelerator.array();  PeState s = a.pe(3, 5);
class PeArray : public sc_core::sc_module {
 public:
  sc_core::sc_in<bool> clk{"clk"};

  PeArray(const sc_core::sc_module_name& name, int rows, int cols)
      : sc_core::sc_module(name), rows_(rows), cols_(cols) {}

  int rows() const { return rows_; }
  int cols() const { return cols_; }
  uint64_t cycle() const { return cycle_; }
  const ArrayStats& stats() const { return stats_; }
  /// Registers of PE (r, c) after the last posedge (float formats: fp32 bit patterns).
  virtual PeState pe(int r, int c) const = 0;
  /// Registers every wanted PE register with the tracer (before simulation starts).
  virtual void trace(Tracer& tracer) = 0;
  using sc_core::sc_object::trace;  // SystemC's own overload stays visible (-Woverloaded-virtual)
  /// Reports psum accumulator accesses to `w` while it watches (nullptr: never).
  void set_psum_watcher(PsumWatcher* w) { psum_watcher_ = w; }

 protected:
  PsumWatcher* active_watcher() const {
    return psum_watcher_ != nullptr && psum_watcher_->watching() ? psum_watcher_ : nullptr;
  }
  /// Registers the wanted PE registers: weight, input, psum, valid and, unless
  /// `stationary_valid` is empty, the stationary bank's bit under that name (".weight_valid").
  void trace_pes(Tracer& tracer, bool is_float, const std::string& stationary_valid);
  /// Refreshes the traced registers after posedge n when it is inside the trace window.
  void sample_trace(uint64_t n);

  int rows_, cols_;
  uint64_t cycle_ = 0;  // index of the next posedge
  ArrayStats stats_;

 private:
  // A traced PE's registers (shadows: SystemC samples them, the PEs live in SoA arrays).
  struct TracedPe {
    int r, c;
    PeState state;
    float weight_f = 0, input_f = 0, psum_f = 0;
  };
  PsumWatcher* psum_watcher_ = nullptr;
  Tracer* tracer_ = nullptr;
  bool trace_float_ = false;
  std::vector<TracedPe> traced_;
};

}  // namespace safsim
