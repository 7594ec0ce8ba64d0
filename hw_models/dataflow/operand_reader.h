// The ifmap read unit: gathers operand vectors (im2col rows or columns) from the ifmap buffer
// ahead of the array through a small FIFO; the buffer's banks, ports and latency decide when
// each vector is usable (docs/timing.md, "Memory stalls").
#pragma once

#include <cstdint>
#include <vector>

#include "hw_models/dataflow/array_schedule.h"

namespace safsim {

///   reader.begin_layer(host, layer, width);
///   if (reader.can_read(n)) reader.read(n, first_byte, bytes, idx, count, stride);
///   if (reader.front_ready(n)) { use(reader.front_int()); reader.pop(); }
class OperandReader {
 public:
  /// Vectors of `width` operands (unused lanes 0), from the input of array layer `layer`.
  void begin_layer(ScheduleHost& host, int layer, int width);
  /// A FIFO slot is free and the buffer is not busy with the previous access.
  bool can_read(uint64_t n) const { return count_ < ready_.size() && n >= sram_free_at_; }
  /// Reads `bytes` from `first_byte` as one access and gathers the elements idx[i * stride],
  /// i < count, into the next slot (padding cells: their channel's pad code).
  void read(uint64_t n, uint64_t first_byte, uint64_t bytes, const int32_t* idx, int count,
            int stride);
  /// Reads reduction index k across `t`'s pixels (its group's im2col column: one run of the
  /// im2col matrix read column-wise, k-major), the vector an os step or an is input row needs.
  void read_column(uint64_t n, const LayerPlan& p, const TilePlan& t, int k);
  bool front_ready(uint64_t n) const { return count_ > 0 && ready_[head_] <= n; }
  const int32_t* front_int() const { return &x_int_[head_ * width_]; }
  const float* front_float() const { return &x_float_[head_ * width_]; }
  void pop() {
    head_ = (head_ + 1) % ready_.size();
    --count_;
  }

 private:
  ScheduleHost* host_ = nullptr;
  SramIf* ifmap_ = nullptr;
  int latency_ = 0, width_ = 0, bytes_ = 0;  // bytes: of one input element
  bool is_float_ = false;
  const int32_t* in_codes_ = nullptr;  // the layer's input words in the ifmap buffer
  const float* in_values_ = nullptr;
  const int32_t* pad_code_ = nullptr;  // per input channel; nullptr: padding reads 0
  const float* pad_value_ = nullptr;
  std::vector<uint64_t> ready_;  // ring of read vectors: posedge their data is usable
  std::vector<int32_t> x_int_;   // ... and their operands
  std::vector<float> x_float_;
  size_t head_ = 0, count_ = 0;
  uint64_t sram_free_at_ = 0;
};

}  // namespace safsim
