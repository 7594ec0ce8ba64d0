// Fault-model factory, config -> spec, layer selection and flip application.
#include "memory/fault_model.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>

#include "base/did_you_mean.h"
#include "base/errors.h"
#include "memory/impl/fault_models.h"
#include "memory/memory_config.h"

namespace safsim {

void check_range(const char* model, const char* what, double v, double lo, double hi) {
  if (!(v >= lo && v <= hi)) {
    throw UserError(
        fmt::format("{} fault model: {} must be in [{}, {}], got {}", model, what, lo, hi, v));
  }
}

std::unique_ptr<FaultModel> make_fault_model(const FaultModelSpec& spec) {
  switch (spec.kind) {
    case FaultKind::kStuckAt:
      return make_stuck_at_model(spec);
    case FaultKind::kRandomFlips:
      return make_random_flip_model(spec);
    case FaultKind::kMsbFlips:
      return make_msb_flip_model(spec);
    case FaultKind::kTargetedFlips:
      return make_targeted_flip_model(spec);
    case FaultKind::kNone:
      break;
  }
  throw std::logic_error("unknown fault model kind");
}

FaultModelSpec stuck_at_spec(const StuckAtConfig& c) {
  FaultModelSpec s;
  s.kind = FaultKind::kStuckAt;
  s.rate = c.rate;
  s.sa1_fraction = preset_sa1_fraction(c.preset, c.sa1_fraction);
  s.pattern = c.pattern;
  s.cluster_probability = c.pattern == StuckAtPattern::kUniform ? 0.0 : c.cluster_probability;
  return s;
}

FaultModelSpec bitflip_spec(const BitFlipConfig& c) {
  FaultModelSpec s;
  // Mode `none` has no model; callers skip it, and a spec of it flips nothing (count 0).
  s.kind = c.mode == FaultKind::kNone ? FaultKind::kTargetedFlips : c.mode;
  s.rate = c.rate;
  s.count = c.mode == FaultKind::kNone ? 0 : c.count;
  s.layer = c.layer;
  s.bit = c.bit;
  return s;
}

std::vector<LayerSpan> select_layers(const std::vector<LayerSpan>& spans,
                                     const std::string& layer) {
  if (layer.empty()) {
    return spans;
  }
  const bool is_index = std::all_of(layer.begin(), layer.end(),
                                    [](unsigned char ch) { return std::isdigit(ch) != 0; });
  std::vector<std::string> names;
  for (const LayerSpan& s : spans) {
    if ((is_index && layer.size() < 10 && s.layer_index == std::stoi(layer)) ||
        (!is_index && s.name == layer)) {
      return {s};
    }
    names.push_back(fmt::format("{} ({})", s.layer_index, s.name));
  }
  std::vector<std::string> plain;
  for (const LayerSpan& s : spans) {
    plain.push_back(s.name);
  }
  const std::string hint = is_index ? "" : did_you_mean(layer, plain);
  throw UserError(
      fmt::format("bitflip.layer '{}' matches no layer with faultable words; layers "
                  "(index and name): {}{}",
                  layer, fmt::join(names, ", "),
                  hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)));
}

int64_t apply_flips(std::vector<uint32_t>& words, const std::vector<BitFlip>& flips,
                    const DefectMap* defects) {
  int64_t effective = 0;
  for (const BitFlip& f : flips) {
    uint32_t& w = words[size_t(f.word)];
    const uint32_t before = w;
    w ^= f.mask;
    if (defects != nullptr && f.word < defects->words()) {
      w = apply_stuck_bits(w, defects->at(f.word));  // a stuck cell cannot be upset
    }
    effective += __builtin_popcount(before ^ w);
  }
  return effective;
}

}  // namespace safsim
