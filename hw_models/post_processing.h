// The post-processing unit (PPU): bias, requantization and activation of finished psum tiles,
// and the non-array layers (pooling, residual add, activations, channel gathers, products,
// flatten). Arithmetic is hw_models/arithmetic.h; this file adds the data movement and the
// cycle costs (docs/timing.md):
//   array tile:    ceil(tokens x cols / lanes) + latency
//   pooling:       ceil(outputs x window / lanes) + latency  (global: ceil(inputs / lanes) +
//   latency) add, mul:      ceil(2 x outputs / lanes) + latency activation, concat / split /
//   shuffle: ceil(outputs / lanes) + latency flatten:       0 (a reinterpretation)
#pragma once

#include <cstdint>
#include <systemc>
#include <vector>

#include "hw_models/activation_faults.h"
#include "hw_models/layer_plan.h"
#include "workloads/quant_model.h"

namespace safsim {

/// Activations of the image in flight (the contents of the ifmap buffer halves): codes for
/// integer formats, fp32 values for float formats. Index -1 is the input image.
struct ActivationStore {
  std::vector<int32_t> input;
  std::vector<std::vector<int32_t>> codes;
  std::vector<float> input_float;
  std::vector<std::vector<float>> values;

  const int32_t* codes_of(int layer) const {
    return layer < 0 ? input.data() : codes[layer].data();
  }
  const float* values_of(int layer) const {
    return layer < 0 ? input_float.data() : values[layer].data();
  }
};

struct PpuStats {
  uint64_t elements = 0;     // outputs produced
  uint64_t busy_cycles = 0;  // by the cost model above

  template <class F>
  void visit(F&& f) {
    f("elements", elements);
    f("busy_cycles", busy_cycles);
  }
};

/// Jobs run one after another; submit() returns the cycle at which a job is done.
///   uint64_t done = ppu.submit(ppu.finish_tile(plan, tile, acc, store), now);
class PostProcessingUnit : public sc_core::sc_module {
 public:
  PostProcessingUnit(const sc_core::sc_module_name& name, const QuantModel& qm, int lanes,
                     int latency_cycles);

  /// Post-processes one finished psum tile (laid out as plan.pixel_stride/channel_stride say)
  /// into the layer's output; returns its cost in cycles.
  uint64_t finish_tile(const LayerPlan& plan, const TilePlan& tile, const int64_t* acc,
                       const float* acc_float, ActivationStore& store);
  /// Runs a non-array layer; returns its cost in cycles.
  uint64_t run_layer(int layer, ActivationStore& store);
  /// Queues a job of `cost` cycles at `now`; returns the cycle from which its results are usable.
  uint64_t submit(uint64_t cost, uint64_t now);

  /// Activation flips applied to every output word as it is written (nullptr: none); the plan
  /// must outlive the simulation.
  void set_activation_faults(const ActivationFaultPlan* plan) { plan_ = plan; }
  /// The image whose outputs are written next (its index in the dataset split keys the flips).
  void begin_image(int64_t image_index);
  /// Whether run_layer(layer) reads CHW element `element` of its input number `input`.
  bool reads_input(int layer, int input, int64_t element) const;

  const PpuStats& stats() const { return stats_; }

 private:
  uint64_t cost(uint64_t work) const;
  void pool_int(const QLayer& q, const int32_t* in, int32_t* out) const;
  void pool_float(const QLayer& q, const float* in, float* out) const;
  /// Applies this image's flips of `layer` whose element satisfies `written`.
  template <class Written>
  void apply_flips(int layer, ActivationStore& store, Written&& written) const;

  const QuantModel& qm_;
  int lanes_, latency_;
  uint64_t busy_until_ = 0;
  PpuStats stats_;
  const ActivationFaultPlan* plan_ = nullptr;
  std::vector<ActivationFlip> flips_;  // of the image in flight, sorted by layer
};

}  // namespace safsim
