// Technology table of the NVM weight memory and the on-chip SRAM/MAC energy constants.
// Values and sources: docs/architecture.md ("Energy table"). Energy = event counts x table,
// computed after the run (docs/design.md, "Statistics").
#pragma once

#include <string>

#include "base/enum_names.h"

namespace safsim {

/// Per-access read cost of one NVM technology.
///   NvmTech t = nvm_tech("rram");   // t.read_pj_per_bit
struct NvmTech {
  std::string name;
  double read_pj_per_bit = 0;          // array read + sensing, per bit read
  double typical_read_latency_ns = 0;  // for choosing nvm.read_latency_cycles at a clock
};

/// The preset `name` (rram, pcm, stt_mram). Throws ConfigError listing the presets otherwise.
NvmTech nvm_tech(const std::string& name);

/// The preset names as the allowed values of the string key accelerator.nvm.tech, so the
/// config reader checks it like an enum key (file:line:col, did-you-mean) before any engine
/// looks the preset up.
const EnumNames<std::string>& nvm_tech_names();

/// On-chip energy constants (45 nm, Horowitz ISSCC 2014), per event.
struct OnChipEnergy {
  double sram_pj_per_64bit_access = 10.0;  // 8 KiB SRAM, 64-bit read
  double int8_mac_pj = 0.23;               // 8-bit multiply 0.2 pJ + 8/32-bit add 0.03 pJ
  double int16_mac_pj = 0.9;               // interpolated (representative)
  double fp32_mac_pj = 4.6;                // fp32 multiply 3.7 pJ + fp32 add 0.9 pJ
};

/// MAC energy for the given weight format bits (integer) or float.
double mac_energy_pj(const OnChipEnergy& e, bool is_float, int weight_bits);

}  // namespace safsim
