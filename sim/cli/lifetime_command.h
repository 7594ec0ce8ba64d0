// `safsim lifetime CONFIG` (alias `selftest`): the lifetime run of the self-test controller
// (docs/lifetime.md).
#pragma once

#include <CLI/CLI.hpp>

namespace safsim {

void register_lifetime_command(CLI::App& app);

}  // namespace safsim
