// The safsim command line. SystemC's main() calls sc_main, so `run` can elaborate the model.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <new>
#include <nlohmann/json.hpp>
#include <systemc>

#include "base/errors.h"
#include "sim/cli/analyze_command.h"
#include "sim/cli/bench_command.h"
#include "sim/cli/encode_command.h"
#include "sim/cli/eval_command.h"
#include "sim/cli/gradient_command.h"
#include "sim/cli/lifetime_command.h"
#include "sim/cli/onnx_check_command.h"
#include "sim/cli/plot_command.h"
#include "sim/cli/run_command.h"
#include "sim/cli/select_command.h"
#include "sim/cli/sweep_command.h"
#include "sim/config/doc.h"
#include "sim/sweep/metrics.h"

int sc_main(int argc, char** argv) {
  CLI::App app{
      "safsim: cycle-level simulator of a systolic-array DNN accelerator whose weights "
      "live in faulty NVM"};
  app.set_version_flag("--version", SAFSIM_VERSION);
  app.require_subcommand(1);
  safsim::register_run_command(app);
  safsim::register_eval_command(app);
  safsim::register_sweep_command(app);
  safsim::register_plot_command(app);
  safsim::register_encode_command(app);
  safsim::register_bench_command(app);
  safsim::register_select_command(app);
  safsim::register_gradient_command(app);
  safsim::register_lifetime_command(app);
  safsim::register_analyze_command(app);
  safsim::register_onnx_check_command(app);
  app.add_subcommand("config-reference", "print docs/config_reference.md (every config key)")
      ->callback([] { fmt::print("{}", safsim::config_reference_markdown()); });
  app.add_subcommand("metric-reference", "print the sweep metric table of docs/sweeps.md")
      ->callback([] { fmt::print("{}", safsim::metric_reference_markdown()); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const safsim::UserError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr,
               "error: out of memory: the model, dataset or sweep is larger than this machine "
               "can hold (docs/limits.md)\n");
    return 2;
  } catch (const std::filesystem::filesystem_error& e) {
    // Paths come from the user (--out, configs, datasets): a loop, a permission, a name too long.
    fmt::print(stderr, "error: {}: {}\n", e.path1().string(), e.code().message());
    return 2;
  } catch (const YAML::Exception& e) {
    fmt::print(stderr, "error: YAML: {}\n", e.what());
    return 2;
  } catch (const nlohmann::json::exception& e) {
    fmt::print(stderr, "error: JSON: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr,
               "internal error: {}\nThis is a bug in safsim; please report it with the command "
               "line and the config.\n",
               e.what());
    return 1;
  }
  return 0;
}

// Our own entry point, so the SystemC banner is off before the kernel starts; sc_elab_and_sim
// then calls sc_main as SystemC's main() would.
int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
