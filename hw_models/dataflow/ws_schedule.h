// Weight-stationary schedule (docs/timing.md, "Weight-stationary"):
//   fetch  - the NVM fills the one-fold staging buffer as soon as it is free;
//   load   - one weight row per cycle into bank f % 2 (serial: after fold f-1 drained;
//            overlapped: after fold f-2 drained, i.e. while fold f-1 computes);
//   stream - one im2col row (token) per cycle once the fold's weights are in and its psum half
//            is free; the ifmap read unit runs ahead of it;
//   drain  - a fold is done R + C - 1 cycles after its last token; finished tiles go to the PPU.
#pragma once

#include "hw_models/dataflow/array_schedule.h"
#include "hw_models/dataflow/operand_reader.h"
#include "hw_models/dataflow/systolic_array.h"

namespace safsim {

class WsSchedule : public ArraySchedule {
 public:
  WsSchedule(ScheduleHost& host, SystolicArray& array) : ArraySchedule(host), array_(array) {}
  Cause step(uint64_t n) override;
  ScheduleProgress progress() const override { return {load_idx_, stream_idx_, token_}; }

 private:
  void reset() override;
  void fetch_step(uint64_t n);
  bool load_step(uint64_t n);
  void read_ahead_step(uint64_t n);
  Cause stream_step(uint64_t n, bool nvm_blocked);
  void issue_token(uint64_t n);

  SystolicArray& array_;
  int fetch_idx_ = 0, staged_ = -1, load_idx_ = 0, load_rows_ = 0;
  int stream_idx_ = 0, token_ = 0;
  int ra_fold_ = 0, ra_token_ = 0;  // ifmap read-ahead position
  std::vector<uint64_t> weights_ready_;
  OperandReader reader_;
};

}  // namespace safsim
