// Input-stationary schedule (docs/timing.md, "Input-stationary"): the ws schedule with the
// operands' sources swapped.
//   read   - the ifmap read unit reads the fold's R input rows (one reduction index across the
//            tile's C pixels per access), bottom row first;
//   load   - one input row per cycle into bank f % 2 (serial: after fold f-1 drained;
//            overlapped: after fold f-2 drained); rows past the reduction are zeros;
//   fetch  - the NVM stages the fold's weights, one R-word vector per output channel, as soon
//            as the staging buffer is free (the previous fold streamed its last vector);
//   stream - one output channel's weight vector per cycle once the inputs are in;
//   drain  - a fold is done R + C - 1 cycles after its last vector; finished tiles go to the PPU.
#pragma once

#include "hw_models/dataflow/array_schedule.h"
#include "hw_models/dataflow/operand_reader.h"
#include "hw_models/dataflow/systolic_array.h"

namespace safsim {

class IsSchedule : public ArraySchedule {
 public:
  IsSchedule(ScheduleHost& host, SystolicArray& array) : ArraySchedule(host), array_(array) {}
  Cause step(uint64_t n) override;
  ScheduleProgress progress() const override { return {load_idx_, stream_idx_, channel_}; }

 private:
  void reset() override;
  void read_ahead_step(uint64_t n);
  bool load_step(uint64_t n);
  void fetch_step(uint64_t n);
  Cause stream_step(uint64_t n, bool sram_blocked);

  SystolicArray& array_;
  int ra_fold_ = 0, ra_row_ = 0;  // ifmap read-ahead position (rows counted bottom first)
  int load_idx_ = 0, load_rows_ = 0;
  int fetch_idx_ = 0, staged_ = -1;
  int stream_idx_ = 0, channel_ = 0;
  std::vector<uint64_t> inputs_ready_;
  std::vector<int32_t> zeros_;  // the input row of a reduction index past the layer's
  std::vector<float> zeros_float_;
  OperandReader reader_;
};

}  // namespace safsim
