// Options every simulation subcommand shares: CONFIG, --set, --out, --threads.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/config.h"

namespace safsim {

struct CommonOptions {
  std::string config_path;  // empty: all defaults
  std::vector<std::string> overrides;
  std::string out_dir;  // empty: output.dir from the config
  int threads = -1;     // -1: from the config
};

/// Adds `CONFIG`, `--set key=value` (repeatable), `--out DIR`, `--threads N` to `cmd`.
void add_common_options(CLI::App* cmd, CommonOptions& o, bool config_required);

/// Adds --progress and --no-progress (sim/progress.h): `asked` stays unset without either, and
/// then a progress line shows only when stderr is a terminal.
void add_progress_options(CLI::App* cmd, std::optional<bool>& asked);

/// Loads the config file (or defaults), applies --set, --out and --threads.
Config load_cli_config(const CommonOptions& o);

}  // namespace safsim
