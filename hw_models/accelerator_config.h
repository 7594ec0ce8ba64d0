// The `accelerator` config section: array shape, clock, weight-load schedule, buffers, NVM and
// post-processing unit of the modelled accelerator (docs/architecture.md).
#pragma once

#include "base/enum_names.h"
#include "hw_models/dataflow/dataflow_kind.h"
#include "memory/memory_config.h"

namespace safsim {

enum class WeightLoad { kSerial, kOverlapped };

struct ArrayConfig {
  int rows = 16;
  int cols = 16;

  template <class V>
  void visit(V& v) {
    v.value("rows", rows, 1, 256, "PE rows (ws, is: reduction; os: output pixels)");
    v.value("cols", cols, 1, 256, "PE columns (ws, os: output channels; is: output pixels)");
  }
};

struct AcceleratorConfig {
  ArrayConfig array;
  Dataflow dataflow = Dataflow::kWs;
  double clock_mhz = 500;
  WeightLoad weight_load = WeightLoad::kSerial;
  bool ideal_memory = false;
  SramConfig ifmap_sram;
  SramConfig ofmap_sram;
  NvmConfig nvm;
  int post_processing_lanes = 16;
  int post_processing_latency_cycles = 4;

  template <class V>
  void visit(V& v) {
    v.section("array", array, "systolic array shape");
    v.choice("dataflow", dataflow, dataflow_names(),
             "which operand stays in the PEs: ws weights, os outputs, is inputs (docs/timing.md)");
    v.value("clock_mhz", clock_mhz, 1.0, 10000.0, "clock frequency in MHz");
    v.choice("weight_load", weight_load,
             EnumNames<WeightLoad>{{"serial", WeightLoad::kSerial},
                                   {"overlapped", WeightLoad::kOverlapped}},
             "fold schedule: serial (a fold starts when the previous one drained) or overlapped "
             "(ws/is: the next fold shifts in while one computes; os: it streams in behind) "
             "(docs/timing.md)");
    v.value("ideal_memory", ideal_memory, "SRAM and NVM never stall");
    v.section("ifmap_sram", ifmap_sram, "input feature map buffer");
    v.section("ofmap_sram", ofmap_sram, "output / partial-sum buffer");
    v.section("nvm", nvm, "NVM weight memory");
    v.value("post_processing_lanes", post_processing_lanes, 1, 4096,
            "elements the post-processing unit finishes per cycle");
    v.value("post_processing_latency_cycles", post_processing_latency_cycles, 0, 1000,
            "pipeline depth of the post-processing unit (bias, requantize, activation)");
  }
};

}  // namespace safsim
