// The cycle engine: the SystemC accelerator model run image by image. Bit-exact with the
// functional engine for integer formats; reports where every cycle went.
#pragma once

#include <memory>
#include <string>

#include "memory/deployed_weights.h"
#include "sim/config.h"
#include "sim/engines/logits.h"
#include "sim/stats.h"
#include "workloads/dataset.h"
#include "workloads/quant_model.h"

namespace safsim {

struct CycleResult {
  Logits logits;
  RunStats stats;  // per layer (summed over the images of this run) and totals
};

/// SystemC elaborates once per process (error E113), so construct ONE CycleEngine per process;
/// run() may be called several times (the simulation pauses between batches, cycle counts
/// continue). The CLI runs one simulation per process; tests use one TEST_CASE per engine.
///   CycleEngine eng(qm, deploy_fault_free(qm), cfg.accelerator, cfg.output.trace, "out");
///   CycleResult r = eng.run(images);
///   double acc = accuracy(r.logits, images.labels);
class CycleEngine {
 public:
  /// Copies the model and the stored words (temporaries are fine). Throws ConfigError when the
  /// model does not fit the SRAM buffers or the NVM, or the NVM tech is unknown. When
  /// trace.enabled, writes out_dir/trace.file (VCD) as the simulation runs.
  CycleEngine(const QuantModel& qm, const DeployedWeights& weights, const AcceleratorConfig& cfg,
              const TraceConfig& trace, const std::string& out_dir);
  ~CycleEngine();
  CycleEngine(const CycleEngine&) = delete;
  CycleEngine& operator=(const CycleEngine&) = delete;

  CycleResult run(const Dataset& images);
  /// Path of the VCD file, empty when tracing is off.
  std::string trace_path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace safsim
