// Activation flip plan: the SRAM activation words of every layer output, one draw per image.
#include "hw_models/activation_faults.h"

#include <algorithm>
#include <cstring>

namespace safsim {

ActivationFaultPlan::ActivationFaultPlan(const QuantModel& qm, const BitFlipConfig& c,
                                         uint64_t seed, uint64_t trial)
    : qm_(qm), seed_(c.seed != 0 ? c.seed : seed), trial_(trial) {
  if (c.mode == FaultKind::kNone) {
    return;
  }
  model_ = make_fault_model(bitflip_spec(c));
  // Activation words of one image: each layer's output is a run of words, in layer order.
  // Flatten only renames its input's words, so it has none of its own.
  const int bits = qm.is_float() ? 32 : qm.input_q.bits;
  std::vector<LayerSpan> spans;
  int64_t words = 0;
  for (size_t i = 0; i < qm.layers.size(); ++i) {
    const QLayer& q = qm.layers[i];
    if (q.kind == QOpKind::kFlatten) {
      continue;
    }
    spans.push_back({static_cast<int>(i), q.name, words, q.out_shape.size()});
    words += q.out_shape.size();
  }
  target_.geometry = BankGeometry{1, words, 1, bits};
  target_.value_bits = bits;
  target_.layers = select_layers(spans, c.layer);
}

std::vector<ActivationFlip> ActivationFaultPlan::flips(int64_t image_index) const {
  std::vector<ActivationFlip> out;
  if (!model_) {
    return out;
  }
  const FaultDraw d = model_->draw(target_, RandomStream(seed_, trial_, "activation_bitflip")
                                                .substream(static_cast<uint64_t>(image_index)));
  for (const BitFlip& f : d.flips) {
    const auto span =
        std::upper_bound(target_.layers.begin(), target_.layers.end(), f.word,
                         [](int64_t w, const LayerSpan& s) { return w < s.first_word; });
    if (span == target_.layers.begin()) {
      continue;
    }
    const LayerSpan& s = *(span - 1);
    if (f.word >= s.first_word + s.words) {
      continue;
    }
    out.push_back({s.layer_index, f.word - s.first_word, f.mask});
  }
  std::sort(out.begin(), out.end(), [](const ActivationFlip& a, const ActivationFlip& b) {
    return a.layer != b.layer ? a.layer < b.layer : a.element < b.element;
  });
  return out;
}

int32_t flip_activation_code(const ActQuant& q, int32_t code, uint32_t mask) {
  const uint32_t word_mask = q.bits >= 32 ? ~0u : (1u << q.bits) - 1u;
  const uint32_t word = (static_cast<uint32_t>(code) & word_mask) ^ (mask & word_mask);
  if (q.is_unsigned) {
    return static_cast<int32_t>(word);
  }
  const uint32_t sign = 1u << (q.bits - 1);
  return static_cast<int32_t>(word ^ sign) - static_cast<int32_t>(sign);
}

int32_t ActivationFaultPlan::flip_code(int32_t code, const ActivationFlip& f) const {
  return flip_activation_code(qm_.layers[f.layer].out_q, code, f.mask);
}

float ActivationFaultPlan::flip_value(float value, uint32_t mask) {
  uint32_t u;
  std::memcpy(&u, &value, sizeof u);
  u ^= mask;
  std::memcpy(&value, &u, sizeof u);
  return value;
}

}  // namespace safsim
