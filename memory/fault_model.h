// Fault models of the weight memory and the activation buffers: permanent stuck-at cells and
// transient bit flips (docs/faults.md). Implementations live in memory/impl/, reached only
// through make_fault_model().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/random_stream.h"
#include "memory/defect_map.h"
#include "memory/fault_options.h"

namespace safsim {

struct StuckAtConfig;
struct BitFlipConfig;

/// A contiguous run of words holding one layer (its weights, or its output activations).
struct LayerSpan {
  int layer_index = 0;  // index into QuantModel::layers
  std::string name;
  int64_t first_word = 0;
  int64_t words = 0;
};

/// What a fault model acts on: a memory of `geometry.words()` words of `geometry.word_bits`
/// cells, of which the low `value_bits` hold the value (MSB = value_bits - 1), and the layers.
struct FaultTarget {
  BankGeometry geometry;
  int value_bits = 8;
  std::vector<LayerSpan> layers;
};

/// One transient upset of a stored word: the word becomes word ^ mask.
struct BitFlip {
  int64_t word = 0;
  uint32_t mask = 0;
};

/// What one draw of a model produced: stuck cells (permanent models) or flips (transient ones).
struct FaultDraw {
  DefectMap defects;
  std::vector<BitFlip> flips;
};

/// Parameters of every model; each model reads the ones it needs and checks their ranges.
struct FaultModelSpec {
  FaultKind kind = FaultKind::kStuckAt;
  double rate = 0.0;          // stuck-at: per cell; random: per bit; msb: per word
  double sa1_fraction = 0.8;  // stuck-at
  StuckAtPattern pattern = StuckAtPattern::kUniform;
  double cluster_probability = 0.0;  // stuck-at, clustered patterns
  int64_t count = 0;                 // targeted
  std::string layer;                 // flips: layer name or index; empty = every layer
  int bit = -1;                      // targeted: bit position; -1 = uniformly random
};

/// A fault model (docs/design.md, "Fault models"). draw() is const and takes its stream by value,
/// so a draw depends only on (target, stream key): the same seed and trial give the same faults.
///   auto m = make_fault_model(stuck_at_spec(cfg.faults.weights.stuck_at));
///   FaultDraw d = m->draw(target, RandomStream(seed, trial, "weight_stuck_at"));
///   uint32_t cell = apply_stuck_bits(written, d.defects.at(addr));
class FaultModel {
 public:
  virtual ~FaultModel() = default;
  virtual FaultKind kind() const = 0;
  virtual FaultDraw draw(const FaultTarget& target, RandomStream rng) const = 0;
};

/// The factory: one switch over FaultKind. Throws UserError on out-of-range parameters.
std::unique_ptr<FaultModel> make_fault_model(const FaultModelSpec& spec);

/// Spec of the stuck-at model of a config section (preset resolved to sa1_fraction).
FaultModelSpec stuck_at_spec(const StuckAtConfig& c);
/// Spec of a bit-flip section; mode `none` has no model (the caller skips it).
FaultModelSpec bitflip_spec(const BitFlipConfig& c);

/// The spans `layer` selects: every span if empty; else the span whose layer_index is the
/// number, or whose name is the string. Unknown -> UserError naming the layers (did you mean).
std::vector<LayerSpan> select_layers(const std::vector<LayerSpan>& spans, const std::string& layer);

/// Applies flips to stored words; a flip on a stuck cell is masked (stuck bits win). Returns
/// the number of flipped cells that actually changed (effective flips).
int64_t apply_flips(std::vector<uint32_t>& words, const std::vector<BitFlip>& flips,
                    const DefectMap* defects);

}  // namespace safsim
