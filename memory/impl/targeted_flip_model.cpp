// 003 Algorithm 1: exactly `count` flips, each in a different word picked uniformly from the
// selected layer(s), at the chosen bit or a uniformly random one.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "base/errors.h"
#include "memory/impl/fault_models.h"

namespace safsim {
namespace {

class TargetedFlipModel final : public FaultModel {
 public:
  explicit TargetedFlipModel(const FaultModelSpec& s) : spec_(s) {
    check_range("targeted bit-flip", "count", double(s.count), 0.0, 1e12);
    check_range("targeted bit-flip", "bit", s.bit, -1, 31);
  }

  FaultKind kind() const override { return FaultKind::kTargetedFlips; }

  FaultDraw draw(const FaultTarget& target, RandomStream rng) const override {
    FaultDraw d;
    if (spec_.count == 0) {
      return d;
    }
    const int bits = target.geometry.word_bits;
    if (spec_.bit >= bits) {
      throw UserError(
          fmt::format("bitflip.bit {} is outside the {}-bit stored word", spec_.bit, bits));
    }
    const std::vector<LayerSpan> spans = select_layers(target.layers, spec_.layer);
    int64_t pool = 0;
    for (const LayerSpan& s : spans) {
      pool += s.words;
    }
    if (spec_.count > pool) {
      throw UserError(
          fmt::format("bitflip.count {} exceeds the {} words of the selected layers "
                      "(003 flips each picked weight once)",
                      spec_.count, pool));
    }
    // Floyd's sampling: `count` distinct words in O(count), independent of the pool size.
    std::unordered_set<int64_t> picked;
    std::vector<int64_t> order;
    for (int64_t j = pool - spec_.count; j < pool; ++j) {
      const auto t = int64_t(rng.below(uint64_t(j) + 1));
      const int64_t w = picked.count(t) ? j : t;
      picked.insert(w);
      order.push_back(w);
    }
    for (const int64_t idx : order) {
      const int bit = spec_.bit >= 0 ? spec_.bit : int(rng.below(uint64_t(bits)));
      d.flips.push_back({word_of(spans, idx), 1u << bit});
    }
    return d;
  }

 private:
  static int64_t word_of(const std::vector<LayerSpan>& spans, int64_t idx) {
    for (const LayerSpan& s : spans) {
      if (idx < s.words) {
        return s.first_word + idx;
      }
      idx -= s.words;
    }
    return -1;
  }

  FaultModelSpec spec_;
};

}  // namespace

std::unique_ptr<FaultModel> make_targeted_flip_model(const FaultModelSpec& spec) {
  return std::make_unique<TargetedFlipModel>(spec);
}

}  // namespace safsim
