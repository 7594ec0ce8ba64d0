// The accelerator top: the clock at accelerator.clock_mhz and the wiring of controller, PE
// array, NVM weight banks, ifmap/ofmap SRAM buffers and post-processing unit
// (docs/architecture.md).
#pragma once

#include <cstdint>
#include <memory>
#include <systemc>
#include <vector>

#include "hw_models/controller.h"
#include "hw_models/dataflow/pe_array.h"
#include "hw_models/post_processing.h"
#include "hw_models/selftest_controller.h"
#include "memory/nvm_weight_bank.h"
#include "memory/sram_buffer.h"

namespace safsim {

class Tracer;

/// Memory events of one layer, summed over images (attributed at layer boundaries).
struct LayerMemoryEvents {
  uint64_t nvm_reads = 0, nvm_bits = 0;
  uint64_t sram_reads = 0, sram_writes = 0;  // ifmap + ofmap buffers, in words
  uint64_t sram_conflict_cycles = 0;
};

/// Elaborates once per process (SystemC cannot re-elaborate); run() may be called repeatedly.
///   Accelerator acc("accelerator", qm, weights, cfg);
///   Logits out;  acc.run(images, &out);
class Accelerator : public sc_core::sc_module {
 public:
  Accelerator(const sc_core::sc_module_name& name, const QuantModel& qm,
              const DeployedWeights& weights, const AcceleratorConfig& cfg);
  ~Accelerator() override;

  /// Throws ConfigError when the model cannot fit the buffers or the NVM. Call it before
  /// constructing: a module that throws half-way leaves objects SystemC cannot remove.
  static void check_fits(const QuantModel& qm, const DeployedWeights& weights,
                         const AcceleratorConfig& cfg);

  /// Runs every image back to back; returns when the last logits are written.
  void run(const Dataset& images, Logits* out);
  /// Registers the wanted signals of every block (before the first run()).
  void trace(Tracer& tracer);
  using sc_core::sc_object::trace;  // SystemC's own overload stays visible (-Woverloaded-virtual)
  /// Activation flips applied as the post-processing unit writes output words (nullptr: none).
  void set_activation_faults(const ActivationFaultPlan* plan) { ppu_->set_activation_faults(plan); }
  /// Lands scheduled flips in the NVM, ifmap and ofmap words (nullptr: none). Both must outlive
  /// the simulation.
  void set_scheduled_flips(ScheduledFlipInjector* flips, const FlipAddressMap* map);

  /// Loads a SelfTestController with the test set (pixels of set.images[i] as `test_images`
  /// image i) and connects it to the controller. Before the first run(); once.
  void add_self_test(const TestSet& set, const Dataset& test_images,
                     const SelfTestControllerConfig& cfg);
  /// nullptr without add_self_test().
  const SelfTestController* self_test() const {
    return self_test_->loaded() ? self_test_.get() : nullptr;
  }

  const Controller& controller() const { return *controller_; }
  const PeArray& array() const { return *array_; }
  const NvmWeightBank& nvm() const { return *nvm_; }
  NvmWeightBank& nvm() { return *nvm_; }
  const SramBuffer& ifmap_sram() const { return *ifmap_; }
  const SramBuffer& ofmap_sram() const { return *ofmap_; }
  const PostProcessingUnit& post_processing() const { return *ppu_; }
  const std::vector<LayerMemoryEvents>& layer_memory() const { return layer_memory_; }
  /// Cycle each layer of the first image started at (to pick a trace window).
  const std::vector<uint64_t>& first_image_layer_start() const { return first_start_; }

 private:
  struct TraceClock;
  void on_layer_end(int layer, uint64_t begin, uint64_t end);

  sc_core::sc_clock clock_;
  std::unique_ptr<PeArray> array_;
  std::unique_ptr<NvmWeightBank> nvm_;
  std::unique_ptr<SramBuffer> ifmap_, ofmap_;
  std::unique_ptr<PostProcessingUnit> ppu_;
  std::unique_ptr<Controller> controller_;
  std::unique_ptr<TraceClock> trace_clock_;
  std::unique_ptr<SelfTestController> self_test_;
  sc_core::sc_signal<bool> fault_detected_{"fault_detected"};
  Tracer* tracer_ = nullptr;
  std::vector<LayerMemoryEvents> layer_memory_;
  LayerMemoryEvents last_;  // module counters at the previous layer boundary
  std::vector<uint64_t> first_start_;
  int layers_ended_ = 0;
};

}  // namespace safsim
