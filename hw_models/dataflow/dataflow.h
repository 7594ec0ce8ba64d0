// The one place that knows every dataflow: builds a layer's plan, the PE array module and the
// schedule that drives it for accelerator.dataflow (docs/design.md, "A dataflow").
#pragma once

#include <memory>

#include "hw_models/dataflow/array_schedule.h"
#include "hw_models/dataflow/pe_array.h"

namespace safsim {

/// The PE array of cfg.dataflow (module name "array").
///   std::unique_ptr<PeArray> array = make_pe_array(qm, cfg);
std::unique_ptr<PeArray> make_pe_array(const QuantModel& qm, const AcceleratorConfig& cfg);

/// The schedule that drives `array` (made by make_pe_array with the same cfg).
std::unique_ptr<ArraySchedule> make_schedule(const AcceleratorConfig& cfg, ScheduleHost& host,
                                             PeArray& array);

}  // namespace safsim
