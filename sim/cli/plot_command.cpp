// `safsim plot DIR` and the --plot of `safsim sweep`: both run the plotting script in a child
// process, so a missing matplotlib is a message, never a failed sweep.
#include "sim/cli/plot_command.h"

#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

#include "base/errors.h"

extern char** environ;

namespace safsim {
namespace {

/// Debian's python3 (where apt's python3-matplotlib lives), unless $SAFSIM_PYTHON names another.
std::string python() {
  const char* env = std::getenv("SAFSIM_PYTHON");
  return env != nullptr && *env != '\0' ? env : "/usr/bin/python3";
}

/// scripts/NAME of the source tree: $SAFSIM_SOURCE_DIR, else the configured one.
std::string plot_script(const std::string& name) {
  const char* env = std::getenv("SAFSIM_SOURCE_DIR");
  const std::string root = env != nullptr ? env : SAFSIM_SOURCE_DIR;
  return root + "/scripts/" + name;
}

}  // namespace

bool render_sweep_plots(const std::string& dir) { return render_plot("plot_sweep.py", dir); }

bool render_plot(const std::string& script_name, const std::string& dir) {
  const std::string script = plot_script(script_name);
  const std::string py = python();
  if (!std::filesystem::exists(py)) {
    fmt::print(stderr,
               "plot: {} is missing; install it with `apt-get install python3 "
               "python3-matplotlib`\n",
               py);
    return false;
  }
  if (!std::filesystem::exists(script)) {
    fmt::print(stderr, "plot: {} is missing (set SAFSIM_SOURCE_DIR to the safsim source tree)\n",
               script);
    return false;
  }
  std::vector<std::string> argv = {py, script, dir};
  std::vector<char*> args;
  for (std::string& a : argv) {
    args.push_back(a.data());
  }
  args.push_back(nullptr);
  std::fflush(stdout);  // our lines first, then the script's
  pid_t pid = 0;
  if (posix_spawn(&pid, py.c_str(), nullptr, nullptr, args.data(), environ) != 0) {
    fmt::print(stderr, "plot: cannot start {}\n", py);
    return false;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void register_plot_command(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "plot", "PNG and SVG figures of a finished sweep under DIR/plots (python3-matplotlib)");
  cmd->add_option("DIR", *dir, "output directory of `safsim sweep`")->required();
  cmd->callback([dir] {
    if (!std::filesystem::exists(*dir + "/results.csv")) {
      throw UserError(
          fmt::format("'{}' holds no results.csv; run `safsim sweep ... --out {}` "
                      "first (or --resume an interrupted one)",
                      *dir, *dir));
    }
    if (!render_sweep_plots(*dir)) {
      throw UserError("plotting failed (see above)");
    }
  });
}

}  // namespace safsim
