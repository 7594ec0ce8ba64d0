// NVM technology presets. Representative values; sources in docs/architecture.md.
#include "memory/nvm_tech.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

#include "base/errors.h"

namespace safsim {

namespace {

// Representative read energies and latencies of embedded NVM macros, within the ranges
// surveyed by Yu & Chen (IEEE SSC Magazine 2016) and Chen (Solid-State Electronics 2016).
struct Preset {
  const char* name;
  double read_pj_per_bit;
  double typical_read_latency_ns;
};
constexpr Preset kPresets[] = {{"rram", 1.0, 10.0}, {"pcm", 2.0, 20.0}, {"stt_mram", 0.5, 5.0}};

}  // namespace

NvmTech nvm_tech(const std::string& name) {
  for (const Preset& p : kPresets) {
    if (name == p.name) {
      return {name, p.read_pj_per_bit, p.typical_read_latency_ns};
    }
  }
  std::vector<std::string> names;
  for (const Preset& p : kPresets) {
    names.emplace_back(p.name);
  }
  throw ConfigError(fmt::format("accelerator.nvm.tech: unknown technology '{}'; allowed values: {}",
                                name, fmt::join(names, ", ")));
}

const EnumNames<std::string>& nvm_tech_names() {
  static const EnumNames<std::string> names = [] {
    EnumNames<std::string> n;
    for (const Preset& p : kPresets) {
      n.emplace_back(p.name, p.name);
    }
    return n;
  }();
  return names;
}

double mac_energy_pj(const OnChipEnergy& e, bool is_float, int weight_bits) {
  if (is_float) {
    return e.fp32_mac_pj;
  }
  return weight_bits <= 8 ? e.int8_mac_pj : e.int16_mac_pj;
}

}  // namespace safsim
