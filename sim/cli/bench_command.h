// `safsim bench`: throughput of the functional engine on the configured workload.
#pragma once

#include <CLI/CLI.hpp>

namespace safsim {

void register_bench_command(CLI::App& app);

}  // namespace safsim
