// The dataflows the PE array can run (docs/timing.md, "Dataflows"): which operand stays in the
// PEs while the others stream through. `accelerator.dataflow` names one of them.
#pragma once

#include "base/enum_names.h"

namespace safsim {

enum class Dataflow {
  kWs,  // weight-stationary: rows <- reduction, columns <- output channels, pixels stream
  kOs,  // output-stationary: rows <- output pixels, columns <- output channels, reduction streams
  kIs,  // input-stationary: rows <- reduction, columns <- output pixels, output channels stream
};

inline EnumNames<Dataflow> dataflow_names() {
  return {{"ws", Dataflow::kWs}, {"os", Dataflow::kOs}, {"is", Dataflow::kIs}};
}

inline const char* dataflow_name(Dataflow d) {
  for (const auto& [name, value] : dataflow_names()) {
    if (value == d) {
      return name;
    }
  }
  return "?";
}

}  // namespace safsim
