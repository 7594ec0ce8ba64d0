// The stationary-operand systolic array of R x C PEs (weight- and input-stationary), stepped by
// one clocked SC_METHOD. PEs are plain registers kept as structure-of-arrays; each posedge
// computes the next registers from the current ones and swaps (two-phase update). Timing:
// docs/timing.md.
#pragma once

#include <cstdint>
#include <memory>
#include <systemc>
#include <vector>

#include "hw_models/dataflow/pe_array.h"

namespace safsim {

class Tracer;

/// What travels with a vector (one im2col row of a ws fold, one output channel's weights of an
/// is fold) through the array and where its finished partial sums go when they leave the
/// bottom PE row.
struct TokenTag {
  bool valid = false;
  uint8_t bank = 0;             // bank (double-buffered stationary registers) of its fold
  bool first_row_fold = false;  // overwrite the psum accumulator instead of adding
  int cols_used = 0;            // columns whose outputs are kept
  int64_t* acc = nullptr;       // integer formats: the vector's psum row (C accumulators)
  float* acc_float = nullptr;   // float formats
};

/// The PE array. Each PE holds a stationary operand in two banks (double-buffered: one fold's
/// rows shift in from the top while the previous fold computes). Moving operand x of vector j
/// enters PE(r,0) r cycles after row 0 (skew buffer), moves one PE right per cycle; partial sums
/// move one PE down per cycle and leave PE(R-1,c) into the vector's psum accumulator row.
/// ws: weights stationary, im2col rows stream; is: inputs stationary, weight vectors stream.
/// Both operands are integer codes (or fp32) and the product is commutative, so the PEs are the
/// same; only the trace names which register holds which operand.
///   SystolicArray array("array", 16, 16, /*is_float=*/false, 32, /*inputs_stationary=*/false);
///   array.load_row(bank, words);  array.issue_vector(tag, values);
class SystolicArray : public PeArray {
 public:
  SC_HAS_PROCESS(SystolicArray);

  SystolicArray(const sc_core::sc_module_name& name, int rows, int cols, bool is_float,
                int accumulator_bits, bool inputs_stationary);
  ~SystolicArray() override;

  // Called by the schedule between clock edges (at the negative edge); each call takes effect
  // at the next positive edge, so process order never matters.
  /// Shifts one row of C stationary operands into `bank` from the top (rows move down by one).
  void load_row(int bank, const int32_t* words);
  void load_row(int bank, const float* words);
  /// Enters one vector of R moving operands at the left edge (skewed by the setup buffer).
  void issue_vector(const TokenTag& tag, const int32_t* values);
  void issue_vector(const TokenTag& tag, const float* values);

  PeState pe(int r, int c) const override;
  void trace(Tracer& tracer) override;

 private:
  struct IntCore;
  struct FloatCore;
  void on_posedge();

  bool is_float_;
  int accumulator_bits_;
  bool inputs_stationary_;
  uint64_t quiet_after_ = 0;  // after this posedge every register is zero and invalid
  std::unique_ptr<IntCore> int_core_;
  std::unique_ptr<FloatCore> float_core_;
};

}  // namespace safsim
