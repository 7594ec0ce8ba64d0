// The output-stationary array of R x C PEs (docs/timing.md, "Output-stationary"): PE(r, c)
// accumulates one output (pixel t0 + r, channel o0 + c) of its fold in its own register while
// the reduction streams through: each step an input vector enters the left edge (row r delayed
// r cycles) and moves right, a weight vector enters the top edge (column c delayed c cycles) and
// moves down, so PE(r, c) multiplies step i's operands at posedge s_i + r + c. Its last product
// finishes the output at s_last + r + c: in each column exactly one PE finishes per cycle (the
// wavefront is diagonal), so one output bus per column carries it to the psum buffer.
#pragma once

#include <cstdint>
#include <memory>
#include <systemc>
#include <vector>

#include "hw_models/dataflow/pe_array.h"

namespace safsim {

/// What travels with one step of a fold: its place in the fold and where its outputs go.
struct OsStep {
  bool first = false;          // the fold's first step: each PE starts a new output
  bool last = false;           // the fold's last step: each PE's output is finished
  int pixels = 0;              // rows whose outputs are kept
  int channels = 0;            // columns whose outputs are kept
  int64_t* acc = nullptr;      // integer formats: the tile's psum entries, PE(r,c) at r*C + c
  float* acc_float = nullptr;  // float formats
};

///   OsArray array("array", 16, 16, /*is_float=*/false, /*accumulator_bits=*/32);
///   array.issue_step(step, inputs /* R values */, weights /* C values */);
class OsArray : public PeArray {
 public:
  SC_HAS_PROCESS(OsArray);

  OsArray(const sc_core::sc_module_name& name, int rows, int cols, bool is_float,
          int accumulator_bits);
  ~OsArray() override;

  /// Enters one step at the edges at the next posedge (called at the negative edge).
  void issue_step(const OsStep& step, const int32_t* inputs, const int32_t* weights);
  void issue_step(const OsStep& step, const float* inputs, const float* weights);

  PeState pe(int r, int c) const override;
  void trace(Tracer& tracer) override;

 private:
  template <class V, class P>
  struct Core;
  struct IntCore;
  struct FloatCore;
  void on_posedge();

  bool is_float_;
  int accumulator_bits_;
  uint64_t quiet_after_ = 0;  // after this posedge no operand is in flight
  bool any_step_ = false;
  std::unique_ptr<IntCore> int_core_;
  std::unique_ptr<FloatCore> float_core_;
};

}  // namespace safsim
