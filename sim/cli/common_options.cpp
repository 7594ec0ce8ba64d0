// Shared CLI options.
#include "sim/cli/common_options.h"

namespace safsim {

void add_common_options(CLI::App* cmd, CommonOptions& o, bool config_required) {
  auto* c = cmd->add_option("CONFIG", o.config_path, "YAML config file (configs/default.yaml)");
  if (config_required) {
    c->required();
  }
  cmd->add_option("--set", o.overrides, "override a config key: --set accelerator.array.rows=32")
      ->take_all();
  cmd->add_option("--out", o.out_dir, "output directory (default: output.dir of the config)");
  cmd->add_option("--threads", o.threads, "worker threads (0 = all cores)")
      ->check(CLI::Range(0, 1024));
}

void add_progress_options(CLI::App* cmd, std::optional<bool>& asked) {
  auto* on = cmd->add_flag_callback(
      "--progress", [&asked] { asked = true; },
      "show progress on stderr (images done/total, rate, ETA) even when it is not a terminal; "
      "default: only on a terminal");
  cmd->add_flag_callback(
         "--no-progress", [&asked] { asked = false; }, "no progress output, even on a terminal")
      ->excludes(on);
}

Config load_cli_config(const CommonOptions& o) {
  Config c = o.config_path.empty() ? parse_config("", "<defaults>", o.overrides)
                                   : load_config(o.config_path, o.overrides);
  if (!o.out_dir.empty()) {
    c.output.dir = o.out_dir;
  }
  if (o.threads >= 0) {
    c.threads = o.threads;
  }
  return c;
}

}  // namespace safsim
