// The systolic array's port API, called by the controller between clock edges (at the negative
// edge); every call takes effect at the next positive edge, so process order never matters.
#pragma once

#include <cstdint>
#include <systemc>

namespace safsim {

/// What travels with a token (one im2col row of one fold) through the array and where its
/// finished partial sums go when they leave the bottom PE row.
struct TokenTag {
  bool valid = false;
  uint8_t bank = 0;             // weight bank (double-buffered weight registers) of its fold
  bool first_row_fold = false;  // overwrite the psum accumulator instead of adding
  int cols_used = 0;            // columns whose outputs are kept
  int64_t* acc = nullptr;       // integer formats: the token's psum row (C accumulators)
  float* acc_float = nullptr;   // float formats
};

/// Told of every psum accumulator access while watching() (scheduled flips in the ofmap/psum
/// buffer): `entry` is TokenTag::acc + c (or acc_float + c); `overwrite` for a first row fold.
class PsumWatcher {
 public:
  virtual ~PsumWatcher() = default;
  virtual bool watching() const = 0;
  virtual void on_psum_access(const void* entry, bool overwrite, uint64_t cycle) = 0;
};

/// Implemented by SystolicArray; the controller holds an sc_port<ArrayIf>.
///   array->load_weight_row(bank, words);   // shifts a weight row in from the top
///   array->issue_token(tag, values);       // token enters row 0; row r sees it r cycles later
class ArrayIf : public virtual sc_core::sc_interface {
 public:
  /// Shifts one row of C weights into `bank` from the top (rows move down by one).
  virtual void load_weight_row(int bank, const int32_t* words) = 0;
  virtual void load_weight_row(int bank, const float* words) = 0;
  /// Enters one token of R input values at the left edge (skewed by the setup buffer).
  virtual void issue_token(const TokenTag& tag, const int32_t* values) = 0;
  virtual void issue_token(const TokenTag& tag, const float* values) = 0;
};

}  // namespace safsim
