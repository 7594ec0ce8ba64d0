// The accelerator's controller: runs images layer by layer; array layers go to the dataflow's
// schedule (hw_models/dataflow/), which fetches, loads, streams and drains per cycle, and the
// controller hands finished psum tiles to the post-processing unit and counts where every
// cycle went. It runs at the negative clock edge and prepares what the array does at the next
// posedge.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <systemc>
#include <vector>

#include "hw_models/dataflow/array_schedule.h"
#include "hw_models/dataflow/pe_array.h"
#include "hw_models/flip_address_map.h"
#include "hw_models/layer_plan.h"
#include "hw_models/logits.h"
#include "hw_models/post_processing.h"
#include "hw_models/test_image_source_if.h"
#include "memory/nvm_weight_bank.h"
#include "memory/scheduled_flips.h"
#include "memory/sram_buffer.h"
#include "workloads/dataset.h"

namespace safsim {

class Tracer;

/// Where the cycles of one layer went, summed over images (each cycle counted exactly once).
struct LayerCycles {
  uint64_t cycles = 0;
  uint64_t compute = 0;     // loading, streaming, draining (the schedule itself)
  uint64_t stall_nvm = 0;   // the array waits for weight words
  uint64_t stall_sram = 0;  // a token is not out of the ifmap banks yet (bank conflict, latency)
  uint64_t stall_pp = 0;    // waiting for the post-processing unit (psum half, layer tail)
};

enum class ControllerState : int { kIdle = 0, kArrayLayer = 1, kPpuLayer = 2 };

/// Runs a batch: start(images, logits) then sc_start(); the controller pauses the simulation
/// (sc_pause) when the last image's logits are written.
///   controller.start(images, &logits);  sc_core::sc_start();
class Controller : public sc_core::sc_module, private ScheduleHost {
 public:
  SC_HAS_PROCESS(Controller);
  sc_core::sc_in<bool> clk{"clk"};
  sc_core::sc_port<WeightReadIf> nvm{"nvm"};
  sc_core::sc_port<SramIf> ifmap{"ifmap"};
  sc_core::sc_port<SramIf> ofmap{"ofmap"};
  /// Optional: the SelfTestController, asked at every image boundary for a test image.
  sc_core::sc_port<TestImageSourceIf, 1, sc_core::SC_ZERO_OR_MORE_BOUND> self_test{"self_test"};

  /// `on_layer_end(layer, first_cycle, end_cycle)` runs after every layer of every image.
  Controller(const sc_core::sc_module_name& name, const QuantModel& qm,
             const AcceleratorConfig& cfg, std::vector<LayerPlan> plans, PostProcessingUnit& ppu,
             std::function<void(int, uint64_t, uint64_t)> on_layer_end);

  /// The dataflow's schedule for `array` (hw_models/dataflow/dataflow.h); before start().
  void set_array(PeArray& array);
  void start(const Dataset& images, Logits* out);
  bool finished() const { return state_ == ControllerState::kIdle; }
  const std::vector<LayerCycles>& layer_cycles() const { return layer_cycles_; }
  const std::vector<LayerPlan>& plans() const { return plans_; }
  uint64_t cycle() const { return cycle_; }
  const QuantModel& qm() const override { return qm_; }
  void trace(Tracer& tracer);
  using sc_core::sc_object::trace;  // SystemC's own overload stays visible (-Woverloaded-virtual)
  /// Lands `flips` at their cycles (before anything else of that cycle happens), flips the ifmap
  /// and ofmap words the controller holds, and reports their reads and writes. Both must
  /// outlive the simulation.
  void set_scheduled_flips(ScheduledFlipInjector* flips, const FlipAddressMap* map);
  /// Sees the array's psum accumulator accesses (for scheduled ofmap flips).
  PsumWatcher* psum_watcher() { return &psum_watch_; }

 private:
  void on_negedge();
  bool next_layer(uint64_t n);  // false when the batch is done
  void begin_image(uint64_t n, const uint8_t* pixels, int64_t dataset_index);
  bool next_image(uint64_t n);  // false when the batch is done
  void end_layer(uint64_t n);
  void step_array(uint64_t n);
  // ScheduleHost: what the dataflow's schedule uses.
  const AcceleratorConfig& config() const override { return cfg_; }
  WeightReadIf& weights() override { return *nvm.operator->(); }
  SramIf& ifmap_buffer() override { return *ifmap.operator->(); }
  SramIf& ofmap_buffer() override { return *ofmap.operator->(); }
  const ActivationStore& activations() const override { return store_; }
  int64_t* psum(int half) override { return psum_[half].data(); }
  float* psum_float(int half) override { return psum_float_[half].data(); }
  void ifmap_read(const int32_t* idx, int count, int stride, uint64_t n) override;
  uint64_t tile_done(const TilePlan& t, int half, uint64_t n) override;
  // Scheduled flips (controller_flips.cpp): the words the controller holds, and their accesses.
  void flip_ifmap(int64_t address, int bit);
  void flip_ofmap(int64_t address, int bit);
  bool watching(FlipMemory m) const { return flips_ != nullptr && flips_->watching(m); }
  void ifmap_range_access(int storage_layer, FlipOutcome outcome, uint64_t n);
  void ifmap_ppu_layer_access(const QLayer& q, uint64_t n);
  void ifmap_token_read(int storage_layer, const int32_t* idx, int count, int stride, uint64_t n);
  void tile_access(const TilePlan& tp, int half, uint64_t n);
  struct PsumWatch : PsumWatcher {
    Controller* owner = nullptr;
    bool watching() const override { return owner->watching(FlipMemory::kOfmap); }
    void on_psum_access(const void* entry, bool overwrite, uint64_t cycle) override;
  };
  void count(Cause c);
  void update_trace(uint64_t n, Cause c);

  const QuantModel& qm_;
  AcceleratorConfig cfg_;
  std::vector<LayerPlan> plans_;
  PostProcessingUnit& ppu_;
  std::function<void(int, uint64_t, uint64_t)> on_layer_end_;

  // Batch and image progress.
  const Dataset* images_ = nullptr;
  Logits* logits_ = nullptr;
  int image_ = 0, layer_ = -1;
  bool testing_ = false;  // the image in the array is a self-test image
  ControllerState state_ = ControllerState::kIdle;
  uint64_t cycle_ = 0, layer_begin_ = 0, ppu_layer_done_ = 0;
  ActivationStore store_;
  std::vector<LayerCycles> layer_cycles_;
  LayerCycles current_;

  // Array layers: the dataflow's schedule and the psum buffer it fills.
  const LayerPlan* plan_ = nullptr;
  std::unique_ptr<ArraySchedule> schedule_;
  std::vector<int64_t> psum_[2];  // the two halves of the ofmap/psum buffer
  std::vector<float> psum_float_[2];
  ScheduledFlipInjector* flips_ = nullptr;
  const FlipAddressMap* flip_map_ = nullptr;
  PsumWatch psum_watch_;

  Tracer* tracer_ = nullptr;
  struct Shadow {
    int state = 0, cause = 0, image = 0, layer = 0, load_fold = 0, stream_fold = 0, token = 0;
  } shadow_;
};

}  // namespace safsim
