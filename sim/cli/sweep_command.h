// `safsim sweep SWEEP.yaml`: design-space sweeps and fault campaigns (docs/sweeps.md).
#pragma once

#include <CLI/CLI.hpp>

namespace safsim {

void register_sweep_command(CLI::App& app);

}  // namespace safsim
