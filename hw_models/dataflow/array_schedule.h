// The dataflow seam (docs/design.md, "A dataflow"): the per-cycle schedule of an array layer.
// The controller keeps image and layer sequencing, stall accounting, the post-processing
// hand-off and the self-test hooks; a schedule decides, per cycle, what is fetched from the NVM,
// read from the ifmap buffer, loaded into the PEs, streamed through them and drained.
#pragma once

#include <cstdint>
#include <vector>

#include "hw_models/layer_plan.h"
#include "memory/nvm_weight_bank.h"
#include "memory/sram_buffer.h"

namespace safsim {

struct ActivationStore;

/// Where one cycle of an array layer went (each cycle counted exactly once, LayerCycles).
enum class Cause { kCompute, kNvm, kSram, kPp };

/// What the controller lends a schedule: the memories, the activations, the psum buffer and
/// the hand-off of finished tiles (which also reports accesses to scheduled flips).
class ScheduleHost {
 public:
  virtual ~ScheduleHost() = default;
  virtual const QuantModel& qm() const = 0;
  virtual const AcceleratorConfig& config() const = 0;
  virtual WeightReadIf& weights() = 0;
  virtual SramIf& ifmap_buffer() = 0;
  virtual SramIf& ofmap_buffer() = 0;
  virtual const ActivationStore& activations() const = 0;
  /// The two halves of the ofmap/psum buffer (integer or float formats).
  virtual int64_t* psum(int half) = 0;
  virtual float* psum_float(int half) = 0;
  /// The ifmap read unit reads input elements idx[0], idx[stride], ... (`count` of them;
  /// -1 - c is a padding cell of input channel c).
  virtual void ifmap_read(const int32_t* idx, int count, int stride, uint64_t n) = 0;
  /// Tile `t` of the current layer is complete in psum half `half` at posedge n: the
  /// post-processing unit takes it; returns the posedge from which the half is free again.
  virtual uint64_t tile_done(const TilePlan& t, int half, uint64_t n) = 0;
};

/// For the controller's trace: the fold loading, the fold streaming, the vector within it.
struct ScheduleProgress {
  int load_fold = 0, stream_fold = 0, step = 0;
};

/// One dataflow's schedule; begin_layer() for each array layer, then step() at every negedge
/// until done().
///   schedule.begin_layer(plan);
///   while (!schedule.done(n)) count(schedule.step(n++));
class ArraySchedule {
 public:
  explicit ArraySchedule(ScheduleHost& host) : host_(host) {}
  virtual ~ArraySchedule() = default;

  void begin_layer(const LayerPlan& plan);
  /// Every tile of the layer is post-processed by posedge n.
  bool done(uint64_t n) const;
  /// Prepares posedge n: hands finished tiles on, then the dataflow's fetch, load and stream.
  virtual Cause step(uint64_t n) = 0;
  virtual ScheduleProgress progress() const = 0;

 protected:
  /// The dataflow's own per-layer state.
  virtual void reset() = 0;
  /// Hands every tile whose last fold has drained to the post-processing unit.
  void hand_off_tiles(uint64_t n);
  /// The psum rows of `tile`'s half (integer or float formats).
  int64_t* psum_of(int tile) { return host_.psum(tile % 2); }
  float* psum_float_of(int tile) { return host_.psum_float(tile % 2); }
  /// Cause of a cycle in which nothing streams because everything has (the drain), or the
  /// last tile only waits for the post-processing unit.
  Cause draining() const;

  ScheduleHost& host_;
  const LayerPlan* plan_ = nullptr;
  int tiles_done_ = 0;
  std::vector<uint64_t> drain_end_;  // per fold: posedge after its last psum left the array
  std::vector<uint64_t> ppu_done_;   // per tile: posedge its psum half is free again
  std::vector<int> tile_last_fold_, tile_folds_;
};

}  // namespace safsim
