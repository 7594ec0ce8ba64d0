// 000 "Worst-case": each word of the selected layers is picked with probability `rate` and its
// value MSB (bit value_bits - 1: the sign of two's complement and floats) is flipped.
#include "memory/impl/fault_models.h"

namespace safsim {
namespace {

class MsbFlipModel final : public FaultModel {
 public:
  explicit MsbFlipModel(const FaultModelSpec& s) : spec_(s) {
    check_range("msb bit-flip", "rate", s.rate, 0.0, 1.0);
  }

  FaultKind kind() const override { return FaultKind::kMsbFlips; }

  FaultDraw draw(const FaultTarget& target, RandomStream rng) const override {
    FaultDraw d;
    if (spec_.rate <= 0.0) {
      return d;
    }
    const uint32_t msb = 1u << (target.value_bits - 1);
    for (const LayerSpan& s : select_layers(target.layers, spec_.layer)) {
      for (uint64_t w = rng.geometric_gap(spec_.rate); w < uint64_t(s.words);) {
        d.flips.push_back({s.first_word + int64_t(w), msb});
        const uint64_t gap = rng.geometric_gap(spec_.rate);
        if (gap >= uint64_t(s.words)) {
          break;
        }
        w += 1 + gap;
      }
    }
    return d;
  }

 private:
  FaultModelSpec spec_;
};

}  // namespace

std::unique_ptr<FaultModel> make_msb_flip_model(const FaultModelSpec& spec) {
  return std::make_unique<MsbFlipModel>(spec);
}

}  // namespace safsim
