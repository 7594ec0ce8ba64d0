// How large a VCD trace will be, before it is written: signals x value-change rate x cycles in
// the window, with the run's length from the ideal-memory schedule (docs/traces.md, "How large
// a trace is").
#pragma once

#include <cstdint>
#include <vector>

#include "base/trace.h"
#include "hw_models/accelerator_config.h"
#include "hw_models/layer_plan.h"
#include "workloads/quant_model.h"

namespace safsim {

struct TraceEstimate {
  uint64_t run_cycles = 0;     // cycles of the whole run by the ideal-memory schedule
  uint64_t window_cycles = 0;  // cycles of the trace window that fall inside the run
  int signals = 0;
  double changes_per_cycle = 0;  // value changes per cycle, summed over the traced signals
  double bytes = 0;
};

/// Cycles one image takes with ideal memories: each array layer's folds by docs/timing.md's
/// serial (2R + C + T - 2) or overlapped recurrence plus its last tile's post-processing, and
/// every other layer's post-processing cost. Real memories only add stalls to this.
uint64_t ideal_image_cycles(const QuantModel& qm, const std::vector<LayerPlan>& plans,
                            const AcceleratorConfig& cfg);

/// The VCD size of `signals` traced over cycles [start_cycle, end_cycle] of a run of
/// `run_cycles` at `period_ps`: the header, two time stamps and two clock changes per cycle,
/// and per signal its class's changes per cycle x bytes per change (rates measured on a whole
/// LeNet-5 image, docs/traces.md).
TraceEstimate estimate_trace(const std::vector<TraceSignal>& signals, uint64_t start_cycle,
                             uint64_t end_cycle, uint64_t run_cycles, uint64_t period_ps);

}  // namespace safsim
