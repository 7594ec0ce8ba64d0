// How large a VCD trace will be, before it is written: signals x value-change rate x cycles in
// the window. The rates of the PE registers follow the fold schedule of the layers the window
// covers; the run's length comes from the ideal-memory schedule (docs/traces.md, "How large a
// trace is").
#pragma once

#include <cstdint>
#include <vector>

#include "base/trace.h"
#include "hw_models/accelerator_config.h"
#include "hw_models/layer_plan.h"
#include "workloads/quant_model.h"

namespace safsim {

/// One layer of one image: its cycles and the value changes of an average PE's registers.
struct LayerActivity {
  uint64_t cycles = 0;
  double input = 0, psum = 0, weight = 0, valid = 0, weight_valid = 0;
};

/// Every layer of one image with ideal memories: an array layer's folds by docs/timing.md's
/// serial (2R + C + T - 2) or overlapped recurrence plus its last tile's post-processing, any
/// other layer's post-processing cost. Real memories only add stalls, in which PEs hold still.
std::vector<LayerActivity> image_activity(const QuantModel& qm, const std::vector<LayerPlan>& plans,
                                          const AcceleratorConfig& cfg);

struct TraceEstimate {
  uint64_t run_cycles = 0;     // cycles of the whole run by the ideal-memory schedule
  uint64_t window_cycles = 0;  // cycles of the trace window that fall inside the run
  int signals = 0;
  double changes_per_cycle = 0;  // value changes per window cycle, summed over the signals
  double bytes = 0;
};

/// The VCD size of `signals` traced over cycles [start_cycle, end_cycle] of a run of `images`
/// images, each laid out as `layers`, from cycle `first_cycle`, at `period_ps`: the header, two
/// time stamps and clock changes per cycle, each PE register's changes in the layers the
/// window covers and 0.13 changes per cycle of every other register (docs/traces.md).
TraceEstimate estimate_trace(const std::vector<TraceSignal>& signals, uint64_t start_cycle,
                             uint64_t end_cycle, const std::vector<LayerActivity>& layers,
                             int images, uint64_t first_cycle, uint64_t period_ps);

}  // namespace safsim
