// `safsim analyze criticality|neuron-failures|ber CONFIG [--compare MODEL]`: LRP criticality,
// per-neuron single-flip failure rates and failure rate vs BER of 002, on the deployed model.
#include "sim/cli/analyze_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "base/errors.h"
#include "base/parallel.h"
#include "sim/analysis/analysis_summary.h"
#include "sim/analysis/ber_failures.h"
#include "sim/analysis/criticality.h"
#include "sim/analysis/neuron_failures.h"
#include "sim/analysis/resilience_report.h"
#include "sim/cli/common_options.h"
#include "sim/cli/plot_command.h"
#include "sim/engines/functional_engine.h"
#include "sim/pipeline.h"
#include "sim/progress.h"
#include "sim/written_files.h"

namespace safsim {
namespace {

struct AnalyzeOptions {
  CommonOptions common;
  std::string compare;  // a second model run with the same settings
  bool plot = true;
  std::optional<bool> progress;  // --progress / --no-progress
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// The configs to analyze: the given one, and with --compare the same with another model.
std::vector<Config> configs_of(const AnalyzeOptions& o) {
  std::vector<Config> cs = {load_cli_config(o.common)};
  if (!o.compare.empty()) {
    cs.push_back(cs.front());
    cs.back().workload.model = o.compare;
    cs.back().output.dir = cs.front().output.dir + "/compare";
  }
  for (const Config& c : cs) {
    check_scheduled_flips_engine(c, false, "");
    check_read_errors_engine(c, false, "");
    require_model_biases(c, "safsim analyze");
  }
  return cs;
}

double fault_free_accuracy(const Workload& w, int threads,
                           const FunctionalEngine::ImagesDone& images_done) {
  const FunctionalEngine engine(w.qmodel, w.weights, threads);
  return accuracy(engine.run(w.images, images_done), w.images.labels);
}

void write_outputs(const Config& c, const nlohmann::ordered_json& s, WrittenFiles& out) {
  out.write_at(c.output.dir + "/summary.json", s.dump(2) + "\n");
  out.write_at(c.output.dir + "/config.resolved.yaml", dump_config(c));
}

void plot(const AnalyzeOptions& o, const std::string& dir) {
  if (o.plot && !render_plot("plot_resilience.py", dir)) {
    fmt::print(stderr, "analyze: no figures drawn (see above); the CSV files are complete\n");
  }
}

void run_criticality(const AnalyzeOptions& o) {
  const std::vector<Config> cs = configs_of(o);
  WrittenFiles out(cs.front().output.dir);
  for (const Config& c : cs) {
    const auto t0 = std::chrono::steady_clock::now();
    const Workload w = prepare_workload(c);
    require_labels(w, "`safsim analyze criticality` measures accuracy and relevance to the label");
    const DecodedModel dm(w.qmodel, w.weights);
    DatasetSource source = dataset_source(c, w.model.input_shape);
    source.max_images = c.analysis.relevance_images;  // only these are read
    if (!has_split(source, DatasetSplit::kTrain)) {
      throw UserError(fmt::format(
          "dataset '{}' has no training split; `safsim analyze criticality` measures relevance on "
          "training images",
          c.workload.dataset));
    }
    const Dataset train =
        load_dataset(source, DatasetSplit::kTrain).slice(0, c.analysis.relevance_images);
    if (!train.has_labels()) {
      throw UserError(
          fmt::format("dataset '{}': the training split has no labels", c.workload.dataset));
    }
    // One line over both passes: relevance on the training images, then the fault-free
    // accuracy on the test images.
    ProgressLine progress("criticality", "images", int64_t{train.count} + w.images.count, 0,
                          progress_style(o.progress, ProgressStyle::kNone));
    const auto images_done = [&](int n) { progress.add(n); };
    const MeanRelevance mr = mean_relevance(dm, train, resolve_threads(c.threads), images_done);
    const double fault_free = fault_free_accuracy(w, resolve_threads(c.threads), images_done);
    progress.finish();
    const std::vector<FeatureCriticality> f = feature_criticality(dm, mr);
    out.write_at(c.output.dir + "/relevance.csv", relevance_csv(w.qmodel, mr));
    out.write_at(c.output.dir + "/criticality.csv", criticality_csv(w.qmodel, f));
    nlohmann::ordered_json s =
        summary_header(c, w, "analyze criticality", "functional", fault_free_outcome(fault_free));
    s["relevance_images"] = train.count;
    add_criticality_summary(w.qmodel, f, s);
    s["seconds"] = seconds_since(t0);
    write_outputs(c, s, out);
    fmt::print(
        "{}: criticality of {} feature tensors over {} training images, mean SD of "
        "normalized criticality {:.4f} ({:.1f} s)\n",
        w.model.name, f.size(), train.count, mean_normalized_sd(f), seconds_since(t0));
    plot(o, c.output.dir);
  }
  out.announce();
}

void run_neuron_failures(const AnalyzeOptions& o) {
  std::vector<std::string> names;
  std::vector<std::vector<int64_t>> histograms;
  nlohmann::ordered_json first;
  const std::vector<Config> cs = configs_of(o);
  WrittenFiles out(cs.front().output.dir);
  for (const Config& c : cs) {
    const Workload w = prepare_workload(c);
    require_labels(
        w, "`safsim analyze neuron-failures` counts failures of correctly classified images");
    const DecodedModel dm(w.qmodel, w.weights);
    const NeuronSelection sel = neurons_to_test(w.qmodel, c.analysis, c.seed);
    fmt::print(stderr, "{}: {} of {} neurons, {} images, {} threads\n", w.model.name,
               sel.tested.size(), sel.population, w.images.count, resolve_threads(c.threads));
    const NeuronFailures f = neuron_failures(dm, w.images, sel.tested,
                                             {c.analysis.bit, resolve_threads(c.threads),
                                              progress_style(o.progress, ProgressStyle::kNone)});
    out.write_at(c.output.dir + "/neurons.csv", neurons_csv(w.qmodel, f));
    nlohmann::ordered_json s = summary_header(
        c, w, "analyze neuron-failures", "functional",
        fault_free_outcome(f.images > 0 ? double(f.correct_images) / double(f.images) : 0.0));
    add_neuron_failure_summary(w.qmodel, f, c.analysis, c.seed, sel.population, s);
    write_outputs(c, s, out);
    const FailureFigures fig = failure_figures(f);
    fmt::print(
        "{}: {} neurons x {} correct images in {:.1f} s; failure rate worst {:.4f}, mean "
        "{:.5f}\n",
        w.model.name, f.neurons.size(), f.correct_images, f.seconds, fig.worst, fig.mean);
    names.push_back(w.model.name);
    histograms.push_back(failure_histogram(f, c.analysis.histogram_bins));
  }
  out.write("histogram.csv", histogram_csv(names, histograms));
  plot(o, cs.front().output.dir);
  out.announce();
}

void run_ber(const AnalyzeOptions& o) {
  std::vector<std::string> names;
  std::vector<std::vector<BerPoint>> points;
  const std::vector<Config> cs = configs_of(o);
  WrittenFiles out(cs.front().output.dir);
  for (const Config& c : cs) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<double> rates = parse_ber_rates(c.analysis);
    const Workload w = prepare_workload(c);
    require_labels(w, "`safsim analyze ber` counts failures of correctly classified images");
    const DecodedModel dm(w.qmodel, w.weights);
    // One line over both passes: the flips of every BER and run, then the fault-free accuracy.
    ProgressLine progress("ber", "images", int64_t{2} * w.images.count, 0,
                          progress_style(o.progress, ProgressStyle::kNone));
    const auto images_done = [&](int n) { progress.add(n); };
    const std::vector<BerPoint> p =
        ber_failure_rates(dm, w.images, c.faults.activations.bitflip, rates, c.analysis.ber_runs,
                          c.seed, resolve_threads(c.threads), images_done);
    const double fault_free = fault_free_accuracy(w, resolve_threads(c.threads), images_done);
    progress.finish();
    nlohmann::ordered_json s =
        summary_header(c, w, "analyze ber", "functional", fault_free_outcome(fault_free));
    for (const BerPoint& b : p) {
      fmt::print("{}: BER {:.1e}: failure rate {:.5f} +- {:.5f} (95% CI, {} runs)\n", w.model.name,
                 b.rate, b.mean, b.ci95, b.failure_rate.size());
    }
    s["ber"] = ber_summary(p);
    s["seconds"] = seconds_since(t0);
    write_outputs(c, s, out);
    out.write_at(c.output.dir + "/ber.csv", ber_csv({w.model.name}, {p}));
    names.push_back(w.model.name);
    points.push_back(p);
  }
  out.write("ber.csv", ber_csv(names, points));  // both models' rates, when --compare
  plot(o, cs.front().output.dir);
  out.announce();
}

/// Every analysis reports images done (--progress / --no-progress).
void add_subcommand(CLI::App* analyze, const char* name, const char* help,
                    void (*run)(const AnalyzeOptions&)) {
  auto opts = std::make_shared<AnalyzeOptions>();
  CLI::App* cmd = analyze->add_subcommand(name, help);
  add_common_options(cmd, opts->common, true);
  add_progress_options(cmd, opts->progress);
  cmd->add_option("--compare", opts->compare,
                  "also analyze this model (zoo name or .onnx) with the same settings; its "
                  "files go to OUT/compare");
  cmd->add_flag("!--no-plot", opts->plot, "do not draw figures");
  cmd->callback([opts, run] { run(*opts); });
}

}  // namespace

void register_analyze_command(CLI::App& app) {
  CLI::App* analyze =
      app.add_subcommand("analyze", "resilience analyses of 002 (docs/resilience.md)");
  analyze->require_subcommand(1);
  add_subcommand(analyze, "criticality",
                 "LRP relevance and feature bit-flip criticality (002 Eq. 2-5, Fig. 5b)",
                 run_criticality);
  add_subcommand(analyze, "neuron-failures",
                 "failure rate of a single bit flip in every neuron (002 Figs. 3, 4)",
                 run_neuron_failures);
  add_subcommand(analyze, "ber", "failure rate vs activation bit error rate (002 Fig. 7)", run_ber);
}

}  // namespace safsim
