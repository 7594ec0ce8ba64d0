// `safsim eval [CONFIG] [--set k=v]... [--out DIR]`: runs the functional engine over the
// configured test images, prints the accuracy, writes summary.json and config.resolved.yaml.
#include "sim/cli/eval_command.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/errors.h"
#include "sim/cli/common_options.h"
#include "sim/engines/functional_engine.h"
#include "sim/fault_free.h"
#include "sim/pipeline.h"
#include "sim/predictions.h"
#include "sim/progress.h"
#include "sim/written_files.h"

namespace safsim {
namespace {

struct EvalOptions {
  CommonOptions common;
  std::optional<bool> progress;  // --progress / --no-progress
};

void run_eval(const EvalOptions& o) {
  const Config c = load_cli_config(o.common);
  check_scheduled_flips_engine(c, false, "");
  check_read_errors_engine(c, false, "");
  const Workload w = prepare_workload(c);
  const auto t0 = std::chrono::steady_clock::now();
  const ActivationFaultPlan activation_faults(w.qmodel, c.faults.activations.bitflip, c.seed, 0);
  FunctionalEngine engine(w.qmodel, w.weights, c.threads);
  engine.set_activation_faults(&activation_faults);
  // With faults, a second pass without them is the baseline; without, this pass is its own.
  // One progress line counts the images of both passes.
  const bool faulty = injects_faults(c.faults);
  ProgressLine progress("eval", "images", int64_t(w.images.count) * (faulty ? 2 : 1), 0,
                        progress_style(o.progress, ProgressStyle::kNone));
  const auto images_done = [&](int n) { progress.add(n); };
  const Logits logits = engine.run(w.images, images_done);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const Outcome outcome = measure_outcome(w, logits, faulty, c.threads, "functional", images_done);
  progress.finish();
  const std::string fmt_name = w.qmodel.is_float()
                                   ? to_string(w.qmodel.weight_format.format)
                                   : fmt::format("int{} {}", w.qmodel.weight_format.bits,
                                                 to_string(w.qmodel.weight_format.format));
  std::vector<std::string> notes;
  if (faulty && outcome.accuracy) {
    notes.push_back(baseline_text(*outcome.accuracy, *outcome.fault_free_accuracy));
  }
  if (faulty) {
    notes.push_back(agreement_text(outcome));
  }
  notes.push_back(fmt::format("{:.0f} images/s", w.images.count / seconds));
  if (std::string_view(w.model_cache) != "off") {
    notes.push_back(fmt::format("model cache {}", w.model_cache));
  }
  fmt::print("{}: {} weights, {} images, {} ({})\n", w.model.name, fmt_name, w.images.count,
             outcome.accuracy ? fmt::format("accuracy {:.2f}%", 100.0 * *outcome.accuracy)
                              : std::string("no labels"),
             fmt::join(notes, "; "));
  if (w.deployment.defective_cells > 0 || w.deployment.weight_flips_injected > 0) {
    fmt::print(
        "faults: {} defective cells, {} non-silent, weights with 1 / 2+ non-silent: {} / {}, "
        "mean |deviation| {:.3f} -> {:.3f} LSB ({})\n",
        w.deployment.defective_cells, w.deployment.non_silent_faults,
        w.deployment.weights_with_1_non_silent, w.deployment.weights_with_2plus_non_silent,
        w.deployment.mean_abs_deviation_before, w.deployment.mean_abs_deviation_after,
        to_string(w.weights.read_path.scheme));
  }
  if (const std::string t = compensation_text(c, w.deployment); !t.empty()) {
    fmt::print("mitigation: {}\n", t);
  }

  WrittenFiles out(c.output.dir);
  nlohmann::ordered_json s = summary_header(c, w, "eval", "functional", outcome);
  report_deployment(w, s, out);
  if (c.output.predictions) {
    write_predictions(w.images, logits, outcome.fault_free, out);
  }
  s["timing"] = {{"seconds", seconds}, {"images_per_s", w.images.count / seconds}};
  out.write("summary.json", s.dump(2) + "\n");
  out.write("config.resolved.yaml", dump_config(c));
  out.announce();
}

}  // namespace

void register_eval_command(CLI::App& app) {
  auto opts = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand("eval", "accuracy of the quantized model (functional engine)");
  add_common_options(cmd, opts->common, false);
  add_progress_options(cmd, opts->progress);
  cmd->callback([opts] { run_eval(*opts); });
}

}  // namespace safsim
