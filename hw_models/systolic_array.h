// Weight-stationary systolic array of R x C PEs, stepped by one clocked SC_METHOD. PEs are plain
// registers kept as structure-of-arrays; each posedge computes the next registers from the
// current ones and swaps (two-phase update). Timing: docs/timing.md.
#pragma once

#include <cstdint>
#include <memory>
#include <systemc>
#include <vector>

#include "hw_models/array_if.h"
#include "hw_models/pe.h"

namespace safsim {

class Tracer;

/// Event counters of the array (docs/design.md, "Statistics").
struct ArrayStats {
  uint64_t weight_rows_loaded = 0;
  uint64_t tokens_issued = 0;
  uint64_t busy_cycles = 0;  // posedges with a token in flight or a weight row shifting

  template <class F>
  void visit(F&& f) {
    f("weight_rows_loaded", weight_rows_loaded);
    f("tokens_issued", tokens_issued);
    f("busy_cycles", busy_cycles);
  }
};

/// The PE array. Input x of token j enters PE(r,0) r cycles after row 0 (skew buffer), moves one
/// PE right per cycle; partial sums move one PE down per cycle and leave PE(R-1,c) into the
/// token's psum accumulator row.
///   SystolicArray array("array", 16, 16, /*is_float=*/false, /*accumulator_bits=*/32);
///   array.clk(clock);  controller.array(array);
class SystolicArray : public sc_core::sc_module, public ArrayIf {
 public:
  SC_HAS_PROCESS(SystolicArray);
  sc_core::sc_in<bool> clk{"clk"};

  SystolicArray(const sc_core::sc_module_name& name, int rows, int cols, bool is_float,
                int accumulator_bits);
  ~SystolicArray() override;

  void load_weight_row(int bank, const int32_t* words) override;
  void load_weight_row(int bank, const float* words) override;
  void issue_token(const TokenTag& tag, const int32_t* values) override;
  void issue_token(const TokenTag& tag, const float* values) override;

  int rows() const { return rows_; }
  int cols() const { return cols_; }
  /// Registers of PE (r, c) after the last posedge (float formats: fp32 bit patterns).
  PeState pe(int r, int c) const;
  uint64_t cycle() const { return cycle_; }
  const ArrayStats& stats() const { return stats_; }
  /// Reports psum accumulator accesses to `w` while it watches (nullptr: never).
  void set_psum_watcher(PsumWatcher* w) { psum_watcher_ = w; }
  /// Registers every wanted PE register with the tracer (before simulation starts).
  void trace(Tracer& tracer);

 private:
  struct IntCore;
  struct FloatCore;
  void on_posedge();
  void update_trace_shadows();

  int rows_, cols_;
  bool is_float_;
  int accumulator_bits_;
  uint64_t cycle_ = 0;        // index of the next posedge
  uint64_t quiet_after_ = 0;  // after this posedge every register is zero and invalid
  std::unique_ptr<IntCore> int_core_;
  std::unique_ptr<FloatCore> float_core_;
  ArrayStats stats_;
  PsumWatcher* psum_watcher_ = nullptr;

  struct TracedPe {
    int r, c;
    PeState state;
    float weight_f = 0, input_f = 0, psum_f = 0;
  };
  Tracer* tracer_ = nullptr;
  std::vector<TracedPe> traced_;
};

}  // namespace safsim
