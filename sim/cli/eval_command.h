// `safsim eval`: accuracy of the deployed model on the functional engine.
#pragma once

#include <CLI/CLI.hpp>

namespace safsim {

void register_eval_command(CLI::App& app);

}  // namespace safsim
