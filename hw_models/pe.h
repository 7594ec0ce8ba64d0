// One processing element: registers and MAC arithmetic, the same in every dataflow. The array
// modules keep their PEs as structure-of-arrays and call these MAC functions per PE.
#pragma once

#include <cstdint>
#include <cstring>

#include "hw_models/arithmetic.h"

namespace safsim {

/// Operand and accumulator widths of the integer MAC. Products are exact (operands are at most
/// 16 bits); partial sums are carried in int64 and wrapped to `accumulator_bits` where they
/// leave the array (wrap_accumulator is modular, so this equals wrapping after every MAC).
struct MacConfig {
  int weight_bits = 8;
  int activation_bits = 8;
  int accumulator_bits = 32;
};

/// Register view of one PE, as traced in the VCD and returned by SystolicArray::pe().
///   PeState s = array.pe(3, 5);   // s.weight, s.input, s.psum, s.valid
struct PeState {
  int32_t weight = 0;  // weight register (ws: of the token's bank; between tokens: of the bank
                       // loading)
  int32_t input = 0;   // input register (activation code, or fp32 bit pattern)
  int64_t psum = 0;    // partial-sum register (int) or fp32 bit pattern in the low 32 bits
  bool stationary_valid = false;  // ws/is: the stationary bank holds all R rows of its fold:
                                  // falls when the bank's next fold starts shifting in, rises
                                  // when its last row is in; os: always false
  bool valid = false;             // the registers hold a real operand pair (not a bubble)
};

/// The bit pattern of an fp32 register, as PeState and the trace show float formats.
inline int32_t fp32_bits(float f) {
  int32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

/// Integer MAC of one PE: psum_out = psum_in + w * x (exact in int64).
inline int64_t pe_mac(int64_t psum_in, int32_t w, int32_t x) {
  return psum_in + int64_t{w} * int64_t{x};
}

/// Float MAC of one PE (fp32 weights decoded from fp32/fp16/bf16 words; fp32 accumulation).
inline float pe_mac_float(float psum_in, float w, float x) { return psum_in + w * x; }

/// Where a finished partial sum of the bottom PE row goes: the psum buffer's accumulator,
/// wrapped to the accumulator width (first row-fold overwrites, later ones add).
inline int64_t accumulate_psum(int64_t acc, int64_t psum, bool first_fold, int accumulator_bits) {
  return wrap_accumulator(first_fold ? psum : acc + psum, accumulator_bits);
}

}  // namespace safsim
