// 000 "Random": every stored bit of the selected layers flips with probability `rate`.
#include "memory/impl/fault_models.h"

namespace safsim {
namespace {

class RandomFlipModel final : public FaultModel {
 public:
  explicit RandomFlipModel(const FaultModelSpec& s) : spec_(s) {
    check_range("random bit-flip", "rate", s.rate, 0.0, 1.0);
  }

  FaultKind kind() const override { return FaultKind::kRandomFlips; }

  FaultDraw draw(const FaultTarget& target, RandomStream rng) const override {
    FaultDraw d;
    if (spec_.rate <= 0.0) {
      return d;
    }
    const int bits = target.geometry.word_bits;
    for (const LayerSpan& s : select_layers(target.layers, spec_.layer)) {
      // Geometric skipping over the span's cells: cost proportional to the flips drawn.
      const int64_t cells = s.words * bits;
      for (uint64_t c = rng.geometric_gap(spec_.rate); c < uint64_t(cells);) {
        d.flips.push_back({s.first_word + int64_t(c) / bits, 1u << (int64_t(c) % bits)});
        const uint64_t gap = rng.geometric_gap(spec_.rate);
        if (gap >= uint64_t(cells)) {
          break;
        }
        c += 1 + gap;
      }
    }
    return d;
  }

 private:
  FaultModelSpec spec_;
};

}  // namespace

std::unique_ptr<FaultModel> make_random_flip_model(const FaultModelSpec& spec) {
  return std::make_unique<RandomFlipModel>(spec);
}

}  // namespace safsim
