// One flipped activation word, replayed from the fault-free trace: only the cone of layers and
// positions the flip reaches is recomputed (002 Sec. V-D needs one inference per neuron and
// image; the cone is a few hundred outputs where the full pass has ~10^5).
#pragma once

#include <cstdint>
#include <vector>

#include "hw_models/activation_faults.h"
#include "sim/analysis/network_trace.h"

namespace safsim {

/// Array layers add the flip's effect to the cached accumulators (the sum of w * x is linear,
/// and exact in integers), then post-process only the touched outputs; pools, residual adds and
/// flatten recompute only the outputs whose window holds a changed input. The result equals a
/// full pass with the flip applied (tests hold it to reference_run with a flip plan).
///   FlipReplay replay(dm);
///   int top1 = replay.top1_with_flip(trace, layer, element, 1u << 7);
class FlipReplay {
 public:
  explicit FlipReplay(const DecodedModel& m);

  /// Top-1 class when output word `element` (CHW) of `layer` holds flip_activation_code(code,
  /// mask); all other words are as in the fault-free trace `t` of the same image.
  int top1_with_flip(const ImageTrace& t, int layer, int64_t element, uint32_t mask);
  /// The same for several flips (sorted by layer, as ActivationFaultPlan::flips() gives them):
  /// the flips of a layer hit its words after they are computed from the faulty inputs.
  int top1_with_flips(const ImageTrace& t, const std::vector<ActivationFlip>& flips);
  /// The logits of the last call.
  std::vector<int32_t> last_logits(const ImageTrace& t) const;

 private:
  struct Overlay {
    std::vector<int32_t> code;          // valid where changed_at == generation
    std::vector<uint32_t> changed_at;   // generation in which the element changed
    std::vector<uint32_t> queued_at;    // generation in which the element was queued
    std::vector<int64_t> changed;       // elements changed in this generation
    std::vector<int64_t> queue;         // outputs to recompute
    std::vector<int64_t> dacc64;        // array layers: accumulator deltas, [position][o]
    std::vector<int32_t> dacc32;        // the same when int32 cannot overflow
    std::vector<uint32_t> position_at;  // generation in which a position was touched
    std::vector<int64_t> positions;
    bool narrow = false;  // int32 deltas are exact for this layer
  };

  int32_t value(const ImageTrace& t, int li, int64_t e) const {
    const Overlay& o = ov_[li];
    return o.changed_at[e] == generation_ ? o.code[e] : t.codes[li][e];
  }
  void set(const ImageTrace& t, int li, int64_t e, int32_t v);
  void queue(int li, int64_t e);
  void next_generation();
  void propagate_array(const ImageTrace& t, int li);
  template <class Acc>
  void scatter_array(const ImageTrace& t, int li, std::vector<Acc>& dacc);
  void propagate_pool(const ImageTrace& t, int li);
  void propagate_add(const ImageTrace& t, int li);
  void propagate_unary(const ImageTrace& t, int li);
  void propagate_concat(const ImageTrace& t, int li);
  void propagate_mul(const ImageTrace& t, int li);

  const DecodedModel& m_;
  std::vector<Overlay> ov_;
  uint32_t generation_ = 0;
  std::vector<ActivationFlip> one_;
};

}  // namespace safsim
