// `safsim run`: prepares the workload, runs the cycle engine, prints a compact summary and writes
// summary.json, layers.csv, config.resolved.yaml and (with --trace) the VCD.
#include "sim/cli/run_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>

#include "base/output_files.h"
#include "memory/deployment.h"
#include "memory/nvm_tech.h"
#include "sim/cli/common_options.h"
#include "sim/engines/cycle_engine.h"
#include "sim/fault_free.h"
#include "sim/pipeline.h"
#include "sim/predictions.h"
#include "sim/report.h"
#include "sim/selection/selftest_setup.h"
#include "sim/written_files.h"

namespace safsim {
namespace {

struct RunOptions {
  CommonOptions common;
  bool trace = false;
  bool force = false;
};

// The fault lines: what deployment did to the weights (as eval prints it), and the flips.
void print_faults(const Workload& w, const ActivationFaultPlan& activation_faults,
                  const ScheduledFlipStats& scheduled, size_t scheduled_count) {
  const DeploymentStats& d = w.deployment;
  if (d.defective_cells > 0 || d.weight_flips_injected > 0) {
    fmt::print(
        "  faults          {} defective cells, {} non-silent, weights with 1 / 2+ non-silent: "
        "{} / {}, mean |deviation| {:.3f} -> {:.3f} LSB ({})\n",
        d.defective_cells, d.non_silent_faults, d.weights_with_1_non_silent,
        d.weights_with_2plus_non_silent, d.mean_abs_deviation_before, d.mean_abs_deviation_after,
        to_string(w.weights.read_path.scheme));
  }
  if (d.march_operations > 0) {
    fmt::print(
        "  march C-        {} word operations, {} cycles on the NVM bank; {} stuck cells in {} "
        "words\n",
        d.march_operations, d.march_cycles, d.known_defective_cells, d.memory_words);
  }
  if (activation_faults.active()) {
    int64_t flips = 0;
    for (int i = 0; i < w.images.count; ++i) {
      flips += static_cast<int64_t>(activation_faults.flips(w.images.first_index + i).size());
    }
    fmt::print("  act. flips      {} words over {} images\n", flips, w.images.count);
  }
  if (scheduled_count > 0) {
    fmt::print("  scheduled flips {} of {} injected: {} effective, {} masked\n", scheduled.injected,
               scheduled_count, scheduled.effective, scheduled.masked);
  }
}

// summary.json "scheduled_flips": the counts and every flip with where it landed.
nlohmann::ordered_json scheduled_flips_json(const CycleEngine& engine) {
  nlohmann::ordered_json j;
  const std::vector<FlipRecord> records = engine.scheduled_flips();
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const FlipRecord& r : records) {
    list.push_back({{"cycle", r.flip.cycle},
                    {"memory", to_string(r.flip.memory)},
                    {"address", r.flip.address},
                    {"bit", r.flip.bit},
                    {"location", engine.describe(r.flip)},
                    {"outcome", to_string(r.outcome)},
                    {"decided_cycle", r.decided_cycle}});
  }
  j["scheduled"] = records.size();
  count_outcomes(records).visit([&](const char* name, uint64_t v) { j[name] = v; });
  j["flips"] = list;
  return j;
}

// The counter `name` of one block ("accelerator.nvm.bits_read"), 0 when there is none.
uint64_t block_counter(const RunStats& s, std::string_view name) {
  for (const auto& [key, value] : s.block_counters) {
    if (key == name) {
      return value;
    }
  }
  return 0;
}

// What the reads sensed: a read through a SEC-DED group decoder senses all G words of the group,
// so the cells exposed to read errors are G x bits_read (docs/faults.md, read errors).
struct ReadErrorCounts {
  uint64_t wrong = 0, bits_read = 0, sensed = 0;
};

ReadErrorCounts read_error_counts(const Workload& w, const RunStats& s) {
  ReadErrorCounts n;
  n.wrong = block_counter(s, "accelerator.nvm.read_error_bits");
  n.bits_read = block_counter(s, "accelerator.nvm.bits_read");
  n.sensed = n.bits_read * uint64_t(std::max(1, w.weights.read_path.group_words));
  return n;
}

// summary.json "read_errors": the rate asked for and the cells the NVM reads sensed wrong (test
// images' reads included).
nlohmann::ordered_json read_errors_json(const Config& c, const Workload& w, const RunStats& s) {
  const ReadErrorConfig& re = c.faults.weights.read_errors;
  const ReadErrorCounts n = read_error_counts(w, s);
  return {{"ber", re.ber},
          {"seed", re.seed != 0 ? re.seed : c.seed},
          {"wrong_cells", n.wrong},
          {"cells_sensed", n.sensed},
          {"bits_read", n.bits_read}};
}

void print_read_errors(const Config& c, const Workload& w, const RunStats& s) {
  const double ber = c.faults.weights.read_errors.ber;
  if (ber > 0) {
    const ReadErrorCounts n = read_error_counts(w, s);
    fmt::print("  read errors     {} of {} cells sensed wrong ({:.3g}; ber {:g})\n", n.wrong,
               n.sensed, n.sensed > 0 ? double(n.wrong) / double(n.sensed) : 0.0, ber);
  }
}

void print_self_test(const SelfTestController& stc, uint64_t total_cycles) {
  fmt::print("  self-test       {} tests x {} images, {} cycles ({:.2f}% of all), buffer {} B\n",
             stc.tests().size(), stc.test_images(), stc.test_cycles(),
             total_cycles > 0 ? 100.0 * double(stc.test_cycles()) / double(total_cycles) : 0.0,
             stc.buffer().bytes());
  if (stc.flag()) {
    fmt::print("  fault_detected  at cycle {}\n", stc.fault_detected_cycle());
  }
}

void print_summary(const Config& c, const Workload& w, const CycleResult& r, const Outcome& o,
                   bool faulty, double seconds) {
  const RunStats& s = r.stats;
  const LayerStats& t = s.total;
  fmt::print("{} on a {}x{} {} array at {} MHz ({}, {} memory), {} images\n", w.model.name, s.rows,
             s.cols, dataflow_name(c.accelerator.dataflow), s.clock_mhz,
             c.accelerator.weight_load == WeightLoad::kSerial ? "serial" : "overlapped",
             c.accelerator.ideal_memory ? "ideal" : c.accelerator.nvm.tech, w.images.count);
  if (std::string_view(w.model_cache) != "off") {
    fmt::print("  model cache     {}\n", w.model_cache);
  }
  if (o.accuracy) {
    fmt::print("  accuracy        {:.2f}% ({} / {}{})\n", 100.0 * *o.accuracy,
               static_cast<int>(std::lround(*o.accuracy * w.images.count)), w.images.count,
               faulty ? "; " + baseline_text(*o.accuracy, *o.fault_free_accuracy) : "");
  } else {
    fmt::print("  accuracy        not measured: dataset '{}' has no labels\n", w.images.name);
  }
  if (faulty) {
    fmt::print("  agreement       {}\n", agreement_text(o));
    fmt::print("  fault-free      on the functional engine, bit-exact with the cycle engine\n");
  }
  fmt::print("  cycles          {} total, {} per image\n", t.cycles, s.cycles_per_image());
  fmt::print("  latency         {:.2f} us per image\n", s.latency_us_per_image());
  fmt::print("  PE utilization  {:.1f}%\n", 100.0 * t.utilization);
  fmt::print("  stalls          {:.1f}% (nvm {}, sram {}, post-processing {} cycles)\n",
             100.0 * s.stall_share(), t.stall_nvm_cycles, t.stall_sram_cycles, t.stall_pp_cycles);
  fmt::print("  energy          {:.3f} uJ per image (nvm {:.3f}, sram {:.3f}, mac {:.3f})\n",
             t.energy_pj / s.images * 1e-6, t.energy_nvm_pj / s.images * 1e-6,
             t.energy_sram_pj / s.images * 1e-6, t.energy_mac_pj / s.images * 1e-6);
  fmt::print("  simulated in    {:.2f} s ({:.3g} PE-cycles/s)\n", seconds,
             double(t.cycles) * s.rows * s.cols / seconds);
}

void run(const RunOptions& o) {
  Config c = load_cli_config(o.common);
  c.engine = EngineKind::kCycle;
  if (o.trace) {
    c.output.trace.enabled = true;
  }
  if (o.force) {
    c.output.trace.max_mb = 0;  // no size limit: the resolved config says what ran
  }
  Workload w = load_workload(c);
  ensure_directory(c.output.dir);
  const auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<CycleEngine> engine_owner;
  if (c.mitigation.defect_map == DefectMapSource::kMarch) {
    // The March test runs on the bank's own cells, so the bank is built first with the layout
    // of this scheme (a fault-free deployment), then programmed with what the encoder made of
    // the discovered map.
    MitigationConfig layout_mitigation = c.mitigation;
    layout_mitigation.defect_map = DefectMapSource::kOracle;
    const DeployedWeights layout =
        deploy(w.qmodel, FaultsConfig(), layout_mitigation, c.seed, /*trial=*/0, nullptr);
    engine_owner = std::make_unique<CycleEngine>(w.qmodel, layout, c.accelerator, c.output.trace,
                                                 c.output.dir);
    deploy_workload(c, w, [&](const DefectMap& truth) { return engine_owner->march_test(truth); });
    engine_owner->program_weights(w.weights);
  } else {
    deploy_workload(c, w);
    engine_owner = std::make_unique<CycleEngine>(w.qmodel, w.weights, c.accelerator, c.output.trace,
                                                 c.output.dir);
  }
  CycleEngine& engine = *engine_owner;
  const ActivationFaultPlan activation_faults(w.qmodel, c.faults.activations.bitflip, c.seed, 0);
  const std::vector<ScheduledFlip> scheduled = parse_scheduled_flips(c.faults.scheduled_flips);
  engine.set_activation_faults(&activation_faults);
  engine.set_scheduled_flips(scheduled);
  engine.set_read_errors(c.faults.weights.read_errors, c.seed);
  if (c.selftest.enabled) {
    const SelfTestProgram p = load_self_test_program(c, w.qmodel);
    engine.enable_self_test(p.set, p.images, c.selftest);
  }
  const CycleResult r = engine.run(w.images);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // With faults, the baseline is a functional pass without them: the same logits the cycle
  // engine would give, at a fraction of its cost. Without faults this run is its own baseline.
  const bool faulty = injects_faults(c.faults);
  const Outcome outcome = measure_outcome(w, r.logits, faulty, c.threads, "cycle");
  print_summary(c, w, r, outcome, faulty, seconds);
  print_faults(w, activation_faults, count_outcomes(engine.scheduled_flips()), scheduled.size());
  print_read_errors(c, w, r.stats);
  if (const std::string t = compensation_text(c, w.deployment); !t.empty()) {
    fmt::print("  mitigation      {}\n", t);
  }

  nlohmann::ordered_json s = summary_header(c, w, "run", "cycle", outcome);
  s["nvm_tech"] = c.accelerator.nvm.tech;
  s["dataflow"] = dataflow_name(c.accelerator.dataflow);
  s["weight_load"] = c.accelerator.weight_load == WeightLoad::kSerial ? "serial" : "overlapped";
  s["ideal_memory"] = c.accelerator.ideal_memory;
  const nlohmann::ordered_json stats = run_stats_json(r.stats);
  for (const auto& [key, value] : stats.items()) {
    s[key] = value;
  }
  WrittenFiles out(c.output.dir);
  report_deployment(w, s, out);
  s["scheduled_flips"] = scheduled_flips_json(engine);
  s["read_errors"] = read_errors_json(c, w, r.stats);
  if (const SelfTestController* stc = engine.self_test()) {
    s["images"] = w.images.count;  // the workload's; `inferences` counts the test images too
    s["inferences"] = r.stats.images;
    s["self_test"] = self_test_report(*stc, c, r.stats.total.cycles);
    print_self_test(*stc, r.stats.total.cycles);
  }
  s["timing"] = {{"seconds", seconds}};
  // The window may outlast the run: the trace closes here, so its files exist before the list.
  const std::vector<std::string> trace_files = engine.close_trace();
  if (!engine.trace_path().empty()) {
    const TraceEstimate& e = engine.trace_estimate();
    if (trace_files.empty()) {
      fmt::print("  trace           none: the window starts after the run's last cycle ({})\n",
                 engine.cycle() - 1);
    } else {
      const double mb = double(std::filesystem::file_size(engine.trace_path())) / 1e6;
      s["trace"] = engine.trace_path();
      s["trace_mb"] = mb;
      s["trace_estimate"] = {{"mb", e.bytes / 1e6},
                             {"signals", e.signals},
                             {"changes_per_cycle", e.changes_per_cycle},
                             {"window_cycles", e.window_cycles},
                             {"run_cycles", e.run_cycles}};
      fmt::print("  trace           {} ({:.1f} MB, estimated {:.1f} MB; open it with {})\n",
                 engine.trace_path(), mb, e.bytes / 1e6,
                 std::filesystem::path(trace_files.back()).filename().string());
    }
  }
  out.write("summary.json", s.dump(2) + "\n");
  out.write("layers.csv", layers_csv(r.stats));
  if (c.output.predictions) {
    write_predictions(w.images, r.logits, outcome.fault_free, out);
  }
  out.write("config.resolved.yaml", dump_config(c));
  for (const std::string& f : trace_files) {
    out.add(f);
  }
  out.announce();
}

}  // namespace

void register_run_command(CLI::App& app) {
  auto opts = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run", "one simulation on the cycle-level SystemC accelerator (one per process)");
  add_common_options(cmd, opts->common, true);
  cmd->add_flag("--trace", opts->trace,
                "write a VCD trace (output.trace.* selects scopes and the cycle window)");
  cmd->add_flag("--force", opts->force,
                "trace even when the estimated VCD exceeds output.trace.max_mb");
  cmd->callback([opts] { run(*opts); });
}

}  // namespace safsim
