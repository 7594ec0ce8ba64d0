// `safsim select CONFIG --strategy S --count N --out testset.json`: self-test image selection.
#pragma once

#include <CLI/CLI.hpp>

namespace safsim {

void register_select_command(CLI::App& app);

}  // namespace safsim
