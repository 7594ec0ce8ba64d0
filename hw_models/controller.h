// The accelerator's controller: runs images layer by layer; for array layers it fetches each
// fold's weights from the NVM, shifts them into the array, streams the im2col tokens from the
// ifmap buffer, tracks the drain and hands finished psum tiles to the post-processing unit.
// It runs at the negative clock edge and prepares what the array does at the next posedge.
#pragma once

#include <cstdint>
#include <functional>
#include <systemc>
#include <vector>

#include "hw_models/array_if.h"
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
class Controller : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Controller);
  sc_core::sc_in<bool> clk{"clk"};
  sc_core::sc_port<ArrayIf> array{"array"};
  sc_core::sc_port<WeightReadIf> nvm{"nvm"};
  sc_core::sc_port<SramIf> ifmap{"ifmap"};
  sc_core::sc_port<SramIf> ofmap{"ofmap"};
  /// Optional: the SelfTestController, asked at every image boundary for a test image.
  sc_core::sc_port<TestImageSourceIf, 1, sc_core::SC_ZERO_OR_MORE_BOUND> self_test{"self_test"};

  /// `on_layer_end(layer, first_cycle, end_cycle)` runs after every layer of every image.
  Controller(const sc_core::sc_module_name& name, const QuantModel& qm,
             const AcceleratorConfig& cfg, std::vector<LayerPlan> plans, PostProcessingUnit& ppu,
             std::function<void(int, uint64_t, uint64_t)> on_layer_end);

  void start(const Dataset& images, Logits* out);
  bool finished() const { return state_ == ControllerState::kIdle; }
  const std::vector<LayerCycles>& layer_cycles() const { return layer_cycles_; }
  const std::vector<LayerPlan>& plans() const { return plans_; }
  uint64_t cycle() const { return cycle_; }
  const QuantModel& qm() const { return qm_; }
  void trace(Tracer& tracer);
  /// Lands `flips` at their cycles (before anything else of that cycle happens), flips the ifmap
  /// and ofmap words the controller holds, and reports their reads and writes. Both must
  /// outlive the simulation.
  void set_scheduled_flips(ScheduledFlipInjector* flips, const FlipAddressMap* map);
  /// Sees the array's psum accumulator accesses (for scheduled ofmap flips).
  PsumWatcher* psum_watcher() { return &psum_watch_; }

 private:
  enum class Cause { kCompute, kNvm, kSram, kPp };
  void on_negedge();
  bool next_layer(uint64_t n);  // false when the batch is done
  void begin_image(uint64_t n, const uint8_t* pixels, int64_t dataset_index);
  bool next_image(uint64_t n);  // false when the batch is done
  void begin_array_layer();
  void end_layer(uint64_t n);
  void step_array(uint64_t n);
  void fetch_step(uint64_t n);
  bool load_step(uint64_t n);
  void read_ahead_step(uint64_t n);
  Cause stream_step(uint64_t n, bool nvm_blocked);
  void issue_token(uint64_t n, size_t slot);
  // Scheduled flips (controller_flips.cpp): the words the controller holds, and their accesses.
  void flip_ifmap(int64_t address, int bit);
  void flip_ofmap(int64_t address, int bit);
  bool watching(FlipMemory m) const { return flips_ != nullptr && flips_->watching(m); }
  void ifmap_range_access(int storage_layer, FlipOutcome outcome, uint64_t n);
  void ifmap_ppu_layer_access(const QLayer& q, uint64_t n);
  void ifmap_token_read(int storage_layer, const int32_t* idx, int count, uint64_t n);
  void tile_access(const TilePlan& tp, int half, uint64_t n);
  struct PsumWatch : PsumWatcher {
    Controller* owner = nullptr;
    bool watching() const override { return owner->watching(FlipMemory::kOfmap); }
    void on_psum_access(const void* entry, bool overwrite, uint64_t cycle) override;
  };
  void tile_step(uint64_t n);
  bool array_layer_done(uint64_t n) const;
  void count(Cause c);
  void update_trace(uint64_t n, Cause c);

  const QuantModel& qm_;
  AcceleratorConfig cfg_;
  std::vector<LayerPlan> plans_;
  PostProcessingUnit& ppu_;
  std::function<void(int, uint64_t, uint64_t)> on_layer_end_;
  int rows_, cols_;

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

  // Array-layer schedule state (docs/timing.md).
  const LayerPlan* plan_ = nullptr;
  int fetch_idx_ = 0, staged_ = -1, load_idx_ = 0, load_rows_ = 0;
  int stream_idx_ = 0, token_ = 0, tiles_done_ = 0;
  int ra_fold_ = 0, ra_token_ = 0;  // ifmap read-ahead position
  std::vector<uint64_t> ra_ready_;  // ring of read-ahead tokens: cycle their data is usable
  std::vector<int32_t> ra_x_int_;   // ... and their R operands, read from the ifmap buffer
  std::vector<float> ra_x_float_;
  size_t ra_head_ = 0, ra_count_ = 0;
  uint64_t sram_free_at_ = 0;
  std::vector<uint64_t> weights_ready_, drain_end_, ppu_done_;
  std::vector<int> tile_last_fold_;
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
