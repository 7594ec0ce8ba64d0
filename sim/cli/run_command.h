// `safsim run CONFIG [--set key=value]... [--out DIR] [--trace]`: one simulation on the cycle
// engine (SystemC), one per process.
#pragma once

#include <CLI/CLI.hpp>

namespace safsim {

/// Adds the `run` subcommand to `app`.
///   CLI::App app;  register_run_command(app);
void register_run_command(CLI::App& app);

}  // namespace safsim
