// `safsim lifetime` (alias `selftest`): loads the test set, measures cycles per image on the cycle
// engine, runs the lifetime timeline and writes timeline.csv, summary.json, config.resolved.yaml
// and the plot.
#include "sim/cli/lifetime_command.h"

#include <fmt/format.h>

#include <memory>

#include "base/output_files.h"
#include "sim/cli/common_options.h"
#include "sim/cli/plot_command.h"
#include "sim/engines/cycle_engine.h"
#include "sim/lifetime/lifetime.h"
#include "sim/pipeline.h"
#include "sim/written_files.h"

namespace safsim {
namespace {

void check_fault_free(const Config& c) {
  const WeightFaultsConfig& f = c.faults.weights;
  if (f.stuck_at.rate > 0 || !f.stuck_at.map_file.empty() || f.bitflip.mode != FaultKind::kNone ||
      f.read_errors.ber > 0 || c.faults.activations.bitflip.mode != FaultKind::kNone ||
      !c.faults.scheduled_flips.empty()) {
    throw ConfigError(
        "safsim lifetime grows its own faults (selftest.lifetime.*): faults.weights.stuck_at, "
        "faults.weights.bitflip, faults.weights.read_errors, faults.activations.bitflip and "
        "faults.scheduled_flips must be off");
  }
}

void run(const CommonOptions& o) {
  const Config c = load_cli_config(o);
  check_fault_free(c);
  require_model_biases(c, "safsim lifetime");
  const Workload w = prepare_workload(c);
  require_labels(w, "`safsim lifetime` follows the accuracy over time");
  const SelfTestProgram program = load_self_test_program(c, w.qmodel);
  ensure_directory(c.output.dir);
  // Timing is data-independent: one image on the cycle engine gives the cycles of every image.
  CycleEngine engine(w.qmodel, fault_free_deployment(w.qmodel, c), c.accelerator, TraceConfig{},
                     c.output.dir);
  const uint64_t cycles_per_image = engine.run(w.images.slice(0, 1)).stats.cycles_per_image();
  const LifetimeResult r =
      run_lifetime(c, w.qmodel, w.images, program, cycles_per_image, c.threads);
  nlohmann::ordered_json s =
      summary_header(c, w, "selftest", "functional", fault_free_outcome(r.fault_free_accuracy));
  s["testset"] = c.selftest.testset;
  for (const auto& [key, value] : r.summary.items()) {
    s[key] = value;
  }
  WrittenFiles out(c.output.dir);
  out.write("timeline.csv", lifetime_csv(r));
  out.write("summary.json", s.dump(2) + "\n");
  out.write("config.resolved.yaml", dump_config(c));
  const nlohmann::ordered_json& ov = r.summary["overhead"];
  fmt::print("{} over {} h, {} inferences/h: {} tests of {} images every {} inferences\n",
             w.model.name, c.selftest.lifetime.hours, c.selftest.lifetime.inferences_per_hour,
             r.summary["tests"].get<uint64_t>(), program.set.images.size(), r.period_inferences);
  fmt::print("  accuracy        {:.2f}% fault-free -> {:.2f}% at the end\n",
             100.0 * r.fault_free_accuracy, 100.0 * r.timeline.back().accuracy);
  fmt::print("  flags           {} ({} false alarms), {} heals\n",
             r.summary["flags"].get<uint64_t>(), r.summary["false_alarms"].get<uint64_t>(),
             r.summary["heals"].get<uint64_t>());
  fmt::print("  harmful         {} episodes, {} detected, mean latency {:.3g} h\n",
             r.summary["harmful_episodes"].get<uint64_t>(),
             r.summary["detected_episodes"].get<uint64_t>(),
             r.summary["mean_detection_latency_hours"].get<double>());
  fmt::print("  test overhead   {:.4f}% of cycles ({} cycles per test), buffer {} B\n",
             100.0 * ov["test_cycle_share"].get<double>(), ov["cycles_per_test"].get<uint64_t>(),
             ov["buffer_bytes"].get<int64_t>());
  if (!render_plot("plot_lifetime.py", c.output.dir)) {
    fmt::print("  plot            skipped (see above); timeline.csv holds the data\n");
  }
  out.announce();
}

}  // namespace

void register_lifetime_command(CLI::App& app) {
  auto opts = std::make_shared<CommonOptions>();
  CLI::App* cmd = app.add_subcommand(
      "lifetime", "lifetime run: faults grow, the self-test flags, the weights heal");
  cmd->alias("selftest");  // the command's earlier name
  add_common_options(cmd, *opts, true);
  cmd->callback([opts] { run(*opts); });
}

}  // namespace safsim
