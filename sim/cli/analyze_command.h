// `safsim analyze criticality|neuron-failures|ber CONFIG`: the resilience analyses of 002
// on the deployed model (docs/resilience.md).
#pragma once

#include <CLI/CLI.hpp>

namespace safsim {

void register_analyze_command(CLI::App& app);

}  // namespace safsim
