// The cycle engine: the SystemC accelerator model run image by image. Bit-exact with the
// functional engine for integer formats; reports where every cycle went.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hw_models/activation_faults.h"
#include "hw_models/logits.h"
#include "hw_models/selftest_controller.h"
#include "hw_models/trace_estimate.h"
#include "memory/defect_map.h"
#include "memory/deployed_weights.h"
#include "memory/march_test.h"
#include "memory/scheduled_flips.h"
#include "sim/config.h"
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
  /// trace.enabled, writes out_dir/trace.file (VCD) over the trace window as the first run()
  /// simulates it, with a GTKWave save file beside it (docs/traces.md).
  CycleEngine(const QuantModel& qm, const DeployedWeights& weights, const AcceleratorConfig& cfg,
              const TraceConfig& trace, const std::string& out_dir);
  ~CycleEngine();
  CycleEngine(const CycleEngine&) = delete;
  CycleEngine& operator=(const CycleEngine&) = delete;

  /// Transient activation flips (faults.activations.bitflip) applied to each layer's output
  /// words as the post-processing unit writes them, exactly as FunctionalEngine does (nullptr:
  /// none). The plan must outlive the engine.
  void set_activation_faults(const ActivationFaultPlan* plan);
  /// Single bit flips at a cycle and an address of the NVM, ifmap or ofmap words
  /// (faults.scheduled_flips, docs/faults.md); replaces earlier ones. Throws ConfigError for an
  /// address or bit outside the memory. Outcomes are decided by the end of each run().
  ///   eng.set_scheduled_flips(parse_scheduled_flips(cfg.faults.scheduled_flips));
  void set_scheduled_flips(const std::vector<ScheduledFlip>& flips);
  /// Sensing errors of every NVM weight read (faults.weights.read_errors, docs/faults.md), keyed
  /// by (read_errors.seed or `seed`, image, read): an image's errors are the same in any batch.
  /// ber 0 turns them off. Before run().
  ///   eng.set_read_errors(cfg.faults.weights.read_errors, cfg.seed);
  void set_read_errors(const ReadErrorConfig& c, uint64_t seed);
  /// Every scheduled flip with its outcome, in the order given.
  std::vector<FlipRecord> scheduled_flips() const;
  /// Where a flip lands in model terms ("conv2[345]", "nvm fc1 o=3 k=17", ...).
  std::string describe(const ScheduledFlip& f) const;

  /// March C- on the NVM weight bank's cells before deployment (mitigation.defect_map: march):
  /// installs `truth` as the cells' stuck-at defects, then writes and reads every cell through
  /// the bank's cell port. The bank keeps the defects; program_weights() then stores the
  /// deployment made with the discovered map. Must precede the first run().
  ///   CycleEngine eng(qm, layout, ...);              // layout: a deployment of the same scheme
  ///   deploy_workload(c, w, [&](const DefectMap& t) { return eng.march_test(t); });
  ///   eng.program_weights(w.weights);
  MarchResult march_test(const DefectMap& truth);
  /// Writes deployed words into the bank's cells (stuck cells win). Same scheme and layout as
  /// the weights the engine was built with.
  void program_weights(const DeployedWeights& weights);

  /// Loads the SelfTestController (docs/lifetime.md) with `set` (pixels of set.images[i] as
  /// `test_images` image i); tests then run every cfg.period between the images of run().
  /// Before the first run(); once.
  void enable_self_test(const TestSet& set, const Dataset& test_images, const SelfTestConfig& cfg);
  /// nullptr unless enable_self_test() was called.
  const SelfTestController* self_test() const;

  /// Runs `images`; with a self-test, the stats also count the test images run in between.
  /// With a trace, the first run() first throws ConfigError when a scope glob matches nothing
  /// or the estimated VCD exceeds trace.max_mb (0: no limit), naming how to narrow it.
  CycleResult run(const Dataset& images);
  /// The size estimate the first run() checked (all zero before it, or without a trace).
  const TraceEstimate& trace_estimate() const;
  /// Closes the trace now (it closes by itself after end_cycle, or with the engine) and returns
  /// the files written: the VCD, trace.gtkw and its translate-filter files.
  std::vector<std::string> close_trace();
  /// The cycle the next run() starts at (cycle counts continue across runs).
  uint64_t cycle() const;
  /// Path of the VCD file, empty when tracing is off.
  std::string trace_path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace safsim
