// `safsim gradient CONFIG --image N --out grad.json`: one image's backward pass, for checking.
#pragma once

#include <CLI/CLI.hpp>

namespace safsim {

void register_gradient_command(CLI::App& app);

}  // namespace safsim
