// `safsim analyze criticality|neuron-failures|ber CONFIG [--compare MODEL]`: LRP criticality,
// per-neuron single-flip failure rates and failure rate vs BER of 002, on the deployed model.
#include "sim/cli/analyze_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "sim/analysis/ber_failures.h"
#include "sim/analysis/criticality.h"
#include "sim/analysis/neuron_failures.h"
#include "sim/analysis/resilience_report.h"
#include "sim/analysis/sample_size.h"
#include "sim/cli/common_options.h"
#include "sim/cli/plot_command.h"
#include "sim/engines/functional_engine.h"
#include "sim/errors.h"
#include "sim/output_files.h"
#include "sim/pipeline.h"

namespace safsim {
namespace {

struct AnalyzeOptions {
  CommonOptions common;
  std::string compare;  // a second model run with the same settings
  bool plot = true;
};

int thread_count(const Config& c) {
  return c.threads > 0 ? c.threads
                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

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
    if (!c.faults.scheduled_flips.empty()) {
      throw ConfigError("faults.scheduled_flips: safsim analyze runs no cycles; remove them");
    }
  }
  return cs;
}

double fault_free_accuracy(const Workload& w, int threads) {
  const FunctionalEngine engine(w.qmodel, w.weights, threads);
  return accuracy(engine.run(w.images), w.images.labels);
}

void write_outputs(const Config& c, const nlohmann::ordered_json& s) {
  write_file_atomic(c.output.dir + "/summary.json", s.dump(2) + "\n");
  write_file_atomic(c.output.dir + "/config.resolved.yaml", dump_config(c));
}

void plot(const AnalyzeOptions& o, const std::string& dir) {
  if (o.plot && !render_plot("plot_resilience.py", dir)) {
    fmt::print(stderr, "analyze: no figures drawn (see above); the CSV files are complete\n");
  }
}

void run_criticality(const AnalyzeOptions& o) {
  for (const Config& c : configs_of(o)) {
    const auto t0 = std::chrono::steady_clock::now();
    const Workload w = prepare_workload(c);
    const DecodedModel dm(w.qmodel, w.weights);
    const Dataset train = load_dataset(c.workload.dataset, DatasetSplit::kTrain)
                              .slice(0, c.analysis.relevance_images);
    const MeanRelevance mr = mean_relevance(dm, train, thread_count(c));
    const std::vector<FeatureCriticality> f = feature_criticality(dm, mr);
    write_file_atomic(c.output.dir + "/relevance.csv", relevance_csv(w.qmodel, mr));
    write_file_atomic(c.output.dir + "/criticality.csv", criticality_csv(w.qmodel, f));
    nlohmann::ordered_json s = summary_header(c, w, "analyze criticality", "functional",
                                              fault_free_accuracy(w, thread_count(c)));
    s["relevance_images"] = train.count;
    nlohmann::ordered_json tensors = nlohmann::ordered_json::array();
    for (const FeatureCriticality& x : f) {
      tensors.push_back({{"layer", w.qmodel.layers[x.layer].name},
                         {"features", x.eta.size()},
                         {"normalized_sd", normalized_sd(x.eta)}});
    }
    s["tensors"] = tensors;
    s["mean_sd_normalized_criticality"] = mean_normalized_sd(f);  // 002 Fig. 5b
    s["seconds"] = seconds_since(t0);
    write_outputs(c, s);
    fmt::print(
        "{}: criticality of {} feature tensors over {} training images, mean SD of "
        "normalized criticality {:.4f} ({:.1f} s)\n",
        w.model.name, f.size(), train.count, mean_normalized_sd(f), seconds_since(t0));
  }
}

nlohmann::ordered_json layer_stats(const QuantModel& qm, const NeuronFailures& f) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (size_t li = 0; li < qm.layers.size(); ++li) {
    int64_t n = 0;
    double sum = 0.0, worst = 0.0;
    for (size_t i = 0; i < f.neurons.size(); ++i) {
      if (f.neurons[i].layer == static_cast<int>(li)) {
        ++n;
        sum += f.rate(i);
        worst = std::max(worst, f.rate(i));
      }
    }
    if (n > 0) {
      out.push_back({{"layer", qm.layers[li].name},
                     {"neurons", n},
                     {"mean_failure_rate", sum / double(n)},
                     {"worst_failure_rate", worst}});
    }
  }
  return out;
}

void run_neuron_failures(const AnalyzeOptions& o) {
  std::vector<std::string> names;
  std::vector<std::vector<int64_t>> histograms;
  nlohmann::ordered_json first;
  const std::vector<Config> cs = configs_of(o);
  for (const Config& c : cs) {
    const Workload w = prepare_workload(c);
    const DecodedModel dm(w.qmodel, w.weights);
    std::vector<Neuron> all = neuron_population(w.qmodel, c.analysis.layer);
    const int64_t population = static_cast<int64_t>(all.size());
    std::vector<Neuron> tested;
    if (c.analysis.sample) {
      const int64_t n =
          leveugle_sample_size(population, c.analysis.error_margin, c.analysis.confidence);
      for (int64_t i : sample_indices(population, n, c.seed)) {
        tested.push_back(all[i]);
      }
    } else {
      tested = std::move(all);
    }
    fmt::print(stderr, "{}: {} of {} neurons, {} images, {} threads\n", w.model.name, tested.size(),
               population, w.images.count, thread_count(c));
    const NeuronFailures f =
        neuron_failures(dm, w.images, tested, {c.analysis.bit, thread_count(c), true});
    write_file_atomic(c.output.dir + "/neurons.csv", neurons_csv(w.qmodel, f));
    double worst = 0.0, mean = 0.0;
    for (size_t i = 0; i < f.neurons.size(); ++i) {
      worst = std::max(worst, f.rate(i));
      mean += f.rate(i) / double(f.neurons.size());
    }
    nlohmann::ordered_json s =
        summary_header(c, w, "analyze neuron-failures", "functional",
                       f.images > 0 ? double(f.correct_images) / double(f.images) : 0.0);
    s["bit"] = c.analysis.bit < 0 ? "msb" : std::to_string(c.analysis.bit);
    s["population"] = population;
    s["tested"] = f.neurons.size();
    if (c.analysis.sample) {
      s["sampling"] = {{"method", "Leveugle et al. DATE 2009, p = 0.5"},
                       {"error_margin", c.analysis.error_margin},
                       {"confidence", c.analysis.confidence},
                       {"t", normal_quantile_two_sided(c.analysis.confidence)},
                       {"seed", c.seed}};
    }
    s["correct_images"] = f.correct_images;
    s["worst_failure_rate"] = worst;
    s["mean_failure_rate"] = mean;
    s["layers"] = layer_stats(w.qmodel, f);
    s["seconds"] = f.seconds;
    write_outputs(c, s);
    fmt::print(
        "{}: {} neurons x {} correct images in {:.1f} s; failure rate worst {:.4f}, mean "
        "{:.5f}\n",
        w.model.name, f.neurons.size(), f.correct_images, f.seconds, worst, mean);
    names.push_back(w.model.name);
    histograms.push_back(failure_histogram(f, c.analysis.histogram_bins));
  }
  write_file_atomic(cs.front().output.dir + "/histogram.csv", histogram_csv(names, histograms));
  plot(o, cs.front().output.dir);
}

std::vector<double> parse_rates(const Config& c) {
  std::vector<double> rates;
  for (const std::string& r : c.analysis.ber_rates) {
    size_t used = 0;
    double v = -1.0;
    try {
      v = std::stod(r, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != r.size() || !(v > 0.0 && v <= 1.0)) {
      throw ConfigError(
          fmt::format("analysis.ber_rates: each rate must be a number in (0, 1], got '{}'", r));
    }
    rates.push_back(v);
  }
  if (rates.empty()) {
    throw ConfigError("analysis.ber_rates: give at least one rate, e.g. [1e-4, 1e-3]");
  }
  return rates;
}

void run_ber(const AnalyzeOptions& o) {
  std::vector<std::string> names;
  std::vector<std::vector<BerPoint>> points;
  const std::vector<Config> cs = configs_of(o);
  for (const Config& c : cs) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<double> rates = parse_rates(c);
    const Workload w = prepare_workload(c);
    const DecodedModel dm(w.qmodel, w.weights);
    const std::vector<BerPoint> p =
        ber_failure_rates(dm, w.images, c.faults.activations.bitflip, rates, c.analysis.ber_runs,
                          c.seed, thread_count(c));
    nlohmann::ordered_json s =
        summary_header(c, w, "analyze ber", "functional", fault_free_accuracy(w, thread_count(c)));
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const BerPoint& b : p) {
      rows.push_back({{"rate", b.rate},
                      {"runs", b.failure_rate.size()},
                      {"mean_failure_rate", b.mean},
                      {"sd", b.sd},
                      {"ci95_half_width", b.ci95}});
      fmt::print("{}: BER {:.1e}: failure rate {:.5f} +- {:.5f} (95% CI, {} runs)\n", w.model.name,
                 b.rate, b.mean, b.ci95, b.failure_rate.size());
    }
    s["ber"] = rows;
    s["seconds"] = seconds_since(t0);
    write_outputs(c, s);
    write_file_atomic(c.output.dir + "/ber.csv", ber_csv({w.model.name}, {p}));
    names.push_back(w.model.name);
    points.push_back(p);
  }
  write_file_atomic(cs.front().output.dir + "/ber.csv", ber_csv(names, points));
  plot(o, cs.front().output.dir);
}

void add_subcommand(CLI::App* analyze, const char* name, const char* help,
                    void (*run)(const AnalyzeOptions&)) {
  auto opts = std::make_shared<AnalyzeOptions>();
  CLI::App* cmd = analyze->add_subcommand(name, help);
  add_common_options(cmd, opts->common, true);
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
