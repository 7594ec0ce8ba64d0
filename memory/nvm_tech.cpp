// NVM technology presets. Representative values; sources in docs/architecture.md.
#include "memory/nvm_tech.h"

#include <fmt/format.h>

#include "base/errors.h"

namespace safsim {

NvmTech nvm_tech(const std::string& name) {
  // Representative read energies and latencies of embedded NVM macros, within the ranges
  // surveyed by Yu & Chen (IEEE SSC Magazine 2016) and Chen (Solid-State Electronics 2016).
  if (name == "rram") {
    return {name, 1.0, 10.0};
  }
  if (name == "pcm") {
    return {name, 2.0, 20.0};
  }
  if (name == "stt_mram") {
    return {name, 0.5, 5.0};
  }
  throw ConfigError(fmt::format(
      "accelerator.nvm.tech: unknown technology '{}'; allowed values: rram, pcm, stt_mram", name));
}

double mac_energy_pj(const OnChipEnergy& e, bool is_float, int weight_bits) {
  if (is_float) {
    return e.fp32_mac_pj;
  }
  return weight_bits <= 8 ? e.int8_mac_pj : e.int16_mac_pj;
}

}  // namespace safsim
