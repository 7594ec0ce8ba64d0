// `safsim onnx-check`: the importer and the fp32 reference against ONNX's backend test data.
#pragma once

#include <CLI/CLI.hpp>

namespace safsim {

void register_onnx_check_command(CLI::App& app);

}  // namespace safsim
