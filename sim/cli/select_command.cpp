// `safsim select CONFIG --strategy S --count N --out testset.json [--set k=v]...`: scores the
// configured test images with one strategy of 000 §III and writes the TestSet (docs/selftest.md).
#include "sim/cli/select_command.h"

#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "base/errors.h"
#include "sim/cli/common_options.h"
#include "sim/pipeline.h"
#include "sim/progress.h"
#include "sim/selection/selection.h"
#include "sim/written_files.h"

namespace safsim {
namespace {

struct SelectArgs {
  CommonOptions common;
  std::string strategy;
  int count = 20;
  std::string out_path;
  std::string grad_label = "golden";
  int sensitivity_maps = 20;
  std::string sensitivity_mode = "random";
  double sensitivity_rate = 0.005;
  std::optional<bool> progress;  // --progress / --no-progress
};

void run_select(const SelectArgs& a) {
  SelectionOptions o;
  o.strategy = parse_selection_strategy(a.strategy, "--strategy");
  o.count = a.count;
  o.label = a.grad_label == "true" ? GradientLabel::kTrue : GradientLabel::kGolden;
  o.sensitivity_maps = a.sensitivity_maps;
  o.sensitivity_faults.mode =
      a.sensitivity_mode == "msb" ? FaultKind::kMsbFlips : FaultKind::kRandomFlips;
  o.sensitivity_faults.rate = a.sensitivity_rate;
  const Config c = load_cli_config(a.common);
  require_model_biases(c, "safsim select");
  check_read_errors_engine(c, false, "");  // it runs the functional engine
  const Workload w = prepare_workload(c);
  ImageScorer scorer(c, w);
  scorer.set_progress(progress_style(a.progress, ProgressStyle::kNone));
  const TestSet t = select_test_set(scorer, o);
  write_test_set(t, a.out_path);
  fmt::print("{}: {} test images of {} candidates by {} in {:.2f} s -> {}\n", w.model.name,
             t.images.size(), w.images.count, t.strategy, t.selection_seconds, a.out_path);
  WrittenFiles out(std::filesystem::path(a.out_path).parent_path().string());
  out.add(a.out_path);
  out.announce();
}

}  // namespace

void register_select_command(CLI::App& app) {
  auto a = std::make_shared<SelectArgs>();
  CLI::App* cmd = app.add_subcommand(
      "select", "choose self-test images (000: corner, grad, corner_grad, prob_distrib, ...)");
  add_common_options(cmd, a->common, true);
  add_progress_options(cmd, a->progress);
  cmd->remove_option(cmd->get_option("--out"));  // here --out is the test-set file
  std::vector<std::string> names;
  for (const auto& [name, value] : selection_strategies()) {
    names.push_back(name);
  }
  cmd->add_option("--strategy", a->strategy,
                  fmt::format("selection strategy: {}", fmt::join(names, ", ")))
      ->required();
  cmd->add_option("--count", a->count,
                  "test images to select (coverage: at most this many; 0 = as many as it needs)")
      ->capture_default_str();
  cmd->add_option("--out", a->out_path, "test set to write (testset.json)")->required();
  cmd->add_option("--grad-label", a->grad_label,
                  "grad, corner_grad: loss against the golden top-1 or the true label")
      ->capture_default_str()
      ->check(CLI::IsMember({"golden", "true"}));
  cmd->add_option("--sensitivity-maps", a->sensitivity_maps,
                  "sensitivity: fault maps injected to rank the images")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--sensitivity-mode", a->sensitivity_mode,
                  "sensitivity: weight flip model of those maps")
      ->capture_default_str()
      ->check(CLI::IsMember({"random", "msb"}));
  cmd->add_option("--sensitivity-rate", a->sensitivity_rate,
                  "sensitivity: flip rate (random: per bit; msb: per word)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->callback([a] { run_select(*a); });
}

}  // namespace safsim
