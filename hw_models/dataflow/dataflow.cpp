// Dispatch on accelerator.dataflow: planners, array modules, schedules.
#include "hw_models/dataflow/dataflow.h"

#include "hw_models/dataflow/is_schedule.h"
#include "hw_models/dataflow/os_schedule.h"
#include "hw_models/dataflow/planners.h"
#include "hw_models/dataflow/ws_schedule.h"

namespace safsim {

LayerPlan plan_layer(const QuantModel& qm, int index, const AcceleratorConfig& cfg) {
  LayerPlan p = plan_shape(qm, index, cfg);
  if (!p.on_array) {
    return p;
  }
  const QLayer& q = qm.layers[size_t(index)];
  switch (cfg.dataflow) {
    case Dataflow::kWs:
      plan_ws(p, q, cfg);
      break;
    case Dataflow::kOs:
      plan_os(p, q, cfg);
      break;
    case Dataflow::kIs:
      plan_is(p, q, cfg);
      break;
  }
  return p;
}

std::unique_ptr<PeArray> make_pe_array(const QuantModel& qm, const AcceleratorConfig& cfg) {
  const int rows = cfg.array.rows, cols = cfg.array.cols;
  if (cfg.dataflow == Dataflow::kOs) {
    return std::make_unique<OsArray>("array", rows, cols, qm.is_float(), qm.accumulator_bits);
  }
  return std::make_unique<SystolicArray>("array", rows, cols, qm.is_float(), qm.accumulator_bits,
                                         cfg.dataflow == Dataflow::kIs);
}

std::unique_ptr<ArraySchedule> make_schedule(const AcceleratorConfig& cfg, ScheduleHost& host,
                                             PeArray& array) {
  switch (cfg.dataflow) {
    case Dataflow::kOs:
      return std::make_unique<OsSchedule>(host, static_cast<OsArray&>(array));
    case Dataflow::kIs:
      return std::make_unique<IsSchedule>(host, static_cast<SystolicArray&>(array));
    case Dataflow::kWs:
      break;
  }
  return std::make_unique<WsSchedule>(host, static_cast<SystolicArray&>(array));
}

}  // namespace safsim
