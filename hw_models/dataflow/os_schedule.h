// Output-stationary schedule (docs/timing.md, "Output-stationary"): nothing is loaded; a fold
// streams its whole reduction, one step per cycle.
//   fetch  - the NVM stages the fold's weights, one C-word vector per reduction index, as soon
//            as the staging buffer is free (the previous fold streamed its last step);
//   read   - the ifmap read unit reads each step's R inputs (one reduction index across the
//            tile's pixels per access) ahead of use;
//   stream - one step per cycle: serial, after the previous fold drained; overlapped, right
//            behind it once no PE and no column output bus is still busy with it
//            (s_f >= s_{f-1} + max(W, R)), and once the tile's psum half is free;
//   drain  - PE(r, c) finishes at s + W - 1 + r + c: a fold is done R + C - 1 cycles after its
//            last step, R + C + W - 2 cycles after its first; finished tiles go to the PPU.
#pragma once

#include "hw_models/dataflow/array_schedule.h"
#include "hw_models/dataflow/operand_reader.h"
#include "hw_models/dataflow/os_array.h"

namespace safsim {

class OsSchedule : public ArraySchedule {
 public:
  OsSchedule(ScheduleHost& host, OsArray& array) : ArraySchedule(host), array_(array) {}
  Cause step(uint64_t n) override;
  ScheduleProgress progress() const override { return {stream_idx_, stream_idx_, step_}; }

 private:
  void reset() override;
  void fetch_step(uint64_t n);
  void read_ahead_step(uint64_t n);
  Cause stream_step(uint64_t n);
  bool may_start(int f, uint64_t n) const;

  OsArray& array_;
  int fetch_idx_ = 0, staged_ = -1;
  int ra_fold_ = 0, ra_step_ = 0;  // ifmap read-ahead position
  int stream_idx_ = 0, step_ = 0;
  std::vector<uint64_t> first_step_;  // per fold: posedge of its first step
  OperandReader reader_;
};

}  // namespace safsim
