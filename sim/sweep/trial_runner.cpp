// Trials (trial_runner.h). Per trial only deploy() and one engine run happen; the quantized model
// and the fault-free accuracy come from the WorkloadCache.
#include "sim/sweep/trial_runner.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/errors.h"
#include "base/output_files.h"
#include "base/random_stream.h"
#include "memory/deployment.h"
#include "sim/bias_compensation.h"
#include "sim/engines/functional_engine.h"
#include "sim/fault_free.h"

extern char** environ;

namespace safsim {
namespace {

std::string read_file_or_empty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The last `n` lines of `text`, for error messages from a child.
std::string tail_lines(const std::string& text, size_t n) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  const size_t first = lines.size() > n ? lines.size() - n : 0;
  return fmt::format("{}", fmt::join(lines.begin() + long(first), lines.end(), "\n"));
}

/// Runs `argv` with stdout and stderr to files in `dir`; returns the exit status (-1: signal).
int spawn_and_wait(const std::vector<std::string>& argv, const std::string& dir) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string out = dir + "/stdout.txt";
  const std::string err = dir + "/stderr.txt";
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const std::string& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    throw UserError(fmt::format("cannot start '{}': {}", argv[0], std::strerror(rc)));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// The cycle engine's accuracy and figures for one trial, from a child `safsim run`.
void run_cycle_child(const SweepPoint& point, int trial, uint64_t seed, const TrialContext& ctx,
                     TrialMeasurement& m) {
  const std::string dir = fmt::format("{}/p{}_t{}", ctx.scratch_dir, point.index, trial);
  ensure_directory(dir);
  Config c = point.config;
  c.seed = seed;
  c.engine = EngineKind::kCycle;
  c.output.dir = dir;
  c.output.trace.enabled = false;
  write_file_atomic(dir + "/trial.yaml", dump_config(c));
  const int status =
      spawn_and_wait({ctx.safsim_exe, "run", dir + "/trial.yaml", "--out", dir}, dir);
  if (status != 0) {
    throw UserError(
        fmt::format("point {} ({}) trial {}: `safsim run {}/trial.yaml` failed "
                    "({}):\n{}",
                    point.index, point.key, trial, dir,
                    status < 0 ? "killed by a signal" : fmt::format("exit {}", status),
                    tail_lines(read_file_or_empty(dir + "/stderr.txt"), 5)));
  }
  const auto s = nlohmann::json::parse(read_file_or_empty(dir + "/summary.json"), nullptr, false);
  if (s.is_discarded() || !s.contains("accuracy")) {
    throw UserError(fmt::format("point {} trial {}: {}/summary.json is missing or unreadable",
                                point.index, trial, dir));
  }
  // A dataset without labels has a null accuracy; require_labels_for() kept label metrics out.
  m.accuracy = s["accuracy"].is_number() ? s["accuracy"].get<double>() : 0.0;
  m.top1_agreement = s.value("top1_agreement", 1.0);
  m.mean_abs_logit_change = s.value("mean_abs_logit_change", 0.0);
  for (const std::string& name : cycle_metric_names()) {
    m.cycle.emplace_back(name, s.value(name, 0.0));
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);  // the figures are in the journal now
}

/// The self-test columns of one faulty run: harmful (accuracy drop >= theta points), then per
/// strategy whether judge_self_test fires on that strategy's test images.
std::vector<double> selftest_columns_of(const PreparedWorkload& prepared, const SweepSelfTest& st,
                                        const Logits& faulty, double accuracy) {
  std::vector<double> v;
  v.push_back(100.0 * (prepared.fault_free_accuracy - accuracy) >= st.harm_threshold_points);
  for (size_t s = 0; s < prepared.test_sets.size(); ++s) {
    const std::vector<int>& rows = prepared.test_rows[s];
    Logits test;
    test.images = int(rows.size());
    test.classes = faulty.classes;
    test.is_float = faulty.is_float;
    test.scale = faulty.scale;
    for (const int r : rows) {
      const size_t begin = size_t(r) * faulty.classes;
      if (faulty.is_float) {
        test.values.insert(test.values.end(), faulty.values.begin() + long(begin),
                           faulty.values.begin() + long(begin) + faulty.classes);
      } else {
        test.codes.insert(test.codes.end(), faulty.codes.begin() + long(begin),
                          faulty.codes.begin() + long(begin) + faulty.classes);
      }
    }
    v.push_back(judge_self_test(prepared.test_sets[s], test, st.criterion).fault_detected);
  }
  return v;
}

/// The functional engine's outcome for one trial's weights (memoised unless activation
/// faults make the result depend on more than the weights).
FunctionalOutcome functional_outcome(const PreparedWorkload& prepared, const Config& c,
                                     const SweepSelfTest& st, const DeployedWeights& weights,
                                     uint64_t seed, int threads) {
  const Workload& w = prepared.workload;
  // Activation flips are keyed by (seed, trial 0, image index), like the weight faults.
  const ActivationFaultPlan activation_faults(w.qmodel, c.faults.activations.bitflip, seed,
                                              /*trial=*/0);
  std::optional<AccuracyMemo::Key> key;
  if (!activation_faults.active()) {
    key = AccuracyMemo::key_of(weights);
    if (const std::optional<FunctionalOutcome> known = prepared.memo.find(*key)) {
      return *known;
    }
  }
  FunctionalEngine engine(w.qmodel, weights, threads);
  if (activation_faults.active()) {
    engine.set_activation_faults(&activation_faults);
  }
  const Logits logits = engine.run(w.images);
  FunctionalOutcome out;
  out.top1_agreement = top1_agreement(logits, prepared.fault_free);
  out.mean_abs_logit_change = mean_abs_logit_change(logits, prepared.fault_free);
  // Without labels only the agreement is measured (require_labels_for() refused the rest).
  if (w.images.has_labels()) {
    out.accuracy = accuracy(logits, w.images.labels);
    int64_t correct = 0, failed = 0;
    for (int i = 0; i < logits.images; ++i) {
      if (prepared.fault_free_correct[i] != 0) {
        ++correct;
        failed += logits.top1(i) != w.images.labels[i] ? 1 : 0;
      }
    }
    out.failure_rate = correct > 0 ? double(failed) / double(correct) : 0.0;
    if (st.enabled) {
      out.selftest = selftest_columns_of(prepared, st, logits, out.accuracy);
    }
  }
  if (key) {
    prepared.memo.insert(*key, out);
  }
  return out;
}

Config fault_free_config(const Config& c, int threads) {
  Config f = c;
  f.faults = FaultsConfig();
  f.mitigation = MitigationConfig();
  f.threads = threads;
  return f;
}

/// One test set per strategy on the fault-free workload; scores shared between strategies.
void select_test_sets(const Config& fault_free, const SweepSelfTest& st, PreparedWorkload& p) {
  ImageScorer scorer(fault_free, p.workload);
  for (const SelectionStrategy s : st.strategies) {
    TestSet t = select_test_set(scorer, st.options_for(s));
    std::vector<int> rows;
    for (const TestImage& im : t.images) {
      rows.push_back(im.index - int(p.workload.images.first_index));
    }
    p.test_sets.push_back(std::move(t));
    p.test_rows.push_back(std::move(rows));
  }
}

}  // namespace

void WorkloadCache::prepare(const Config& c, int threads, const SweepSelfTest& selftest) {
  const std::string key = workload_key(c);
  const bool compensates = c.mitigation.bias_compensation == BiasCompensation::kMean;
  if (auto it = cache_.find(key); it != cache_.end()) {
    if (compensates) {
      load_calibration_images(c, it->second->workload);  // a cached model left them unread
    }
    return;
  }
  // The shared part is fault-free: faults and the encoder are the trial's business.
  const Config fault_free = fault_free_config(c, threads);
  auto p = std::make_unique<PreparedWorkload>();
  p->workload = prepare_workload(fault_free);
  if (compensates) {
    load_calibration_images(c, p->workload);
  }
  const Workload& w = p->workload;
  const FunctionalEngine engine(w.qmodel, w.weights, threads);
  const Logits golden = engine.run(w.images);
  p->fault_free = golden;
  FunctionalOutcome outcome;
  if (w.images.has_labels()) {
    p->fault_free_accuracy = accuracy(golden, w.images.labels);
    p->fault_free_correct.resize(golden.images);
    for (int i = 0; i < golden.images; ++i) {
      p->fault_free_correct[i] = golden.top1(i) == w.images.labels[i] ? 1 : 0;
    }
    outcome.accuracy = p->fault_free_accuracy;
  }
  if (selftest.enabled) {
    select_test_sets(fault_free, selftest, *p);
    outcome.selftest = selftest_columns_of(*p, selftest, golden, p->fault_free_accuracy);
  }
  p->memo.insert(AccuracyMemo::key_of(w.weights), outcome);
  cache_.emplace(key, std::move(p));
}

std::vector<const PreparedWorkload*> WorkloadCache::all() const {
  std::vector<const PreparedWorkload*> v;
  for (const auto& [key, p] : cache_) {
    v.push_back(p.get());
  }
  return v;
}

int64_t WorkloadCache::memo_hits() const {
  int64_t hits = 0;
  for (const auto& [key, p] : cache_) {
    hits += p->memo.hits();
  }
  return hits;
}

AccuracyMemo::Key AccuracyMemo::key_of(const DeployedWeights& w) {
  uint64_t a = 0x243F6A8885A308D3ull;  // two unrelated starting points (digits of pi, e)
  uint64_t b = 0xB7E151628AED2A6Bull;
  for (size_t layer = 0; layer < w.stored.size(); ++layer) {
    const std::vector<uint32_t> decoded = w.read_path.decode_words(w.stored[layer]);
    a = mix64(a ^ (layer << 32 | decoded.size()));
    b = mix64(b + (decoded.size() << 20) + layer);
    for (uint32_t word : decoded) {
      a = mix64(a ^ word);
      b = mix64(b + (uint64_t(word) * 0x9E3779B97F4A7C15ull));
    }
  }
  for (size_t layer = 0; layer < w.bias.size(); ++layer) {  // compensated biases, if any
    a = mix64(a ^ (layer << 40 | w.bias[layer].size()));
    for (int32_t bias : w.bias[layer]) {
      a = mix64(a ^ uint32_t(bias));
      b = mix64(b + (uint64_t(uint32_t(bias)) * 0xC2B2AE3D27D4EB4Full));
    }
  }
  return {a, b};
}

std::optional<FunctionalOutcome> AccuracyMemo::find(const Key& k) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it = outcome_.find(k);
  if (it == outcome_.end()) {
    return std::nullopt;
  }
  ++hits_;
  return it->second;
}

void AccuracyMemo::insert(const Key& k, const FunctionalOutcome& outcome) {
  std::lock_guard<std::mutex> lock(mutex_);
  outcome_.emplace(k, outcome);
}

const PreparedWorkload& WorkloadCache::at(const Config& c) const {
  return *cache_.at(workload_key(c));
}

void require_labels_for(const SweepPlan& plan, const PreparedWorkload& prepared) {
  const Dataset& images = prepared.workload.images;
  if (images.has_labels()) {
    return;
  }
  std::vector<std::string> needing;
  for (const std::string& m : plan.metrics) {
    if (m == "accuracy" || m == "accuracy_drop" || m == "fault_free_accuracy" ||
        m == "failure_rate") {
      needing.push_back(m);
    }
  }
  if (plan.selftest.enabled) {
    needing.emplace_back("the detection experiment (selftest)");
  }
  if (!needing.empty()) {
    throw UserError(fmt::format(
        "dataset '{}' has no labels, but the sweep measures {}; without labels measure "
        "`metrics: [top1_agreement, mean_abs_logit_change]` (agreement with the fault-free run)",
        images.name, fmt::join(needing, ", ")));
  }
}

TrialRecord run_trial(const SweepPlan& plan, const SweepPoint& point, int trial,
                      const PreparedWorkload& prepared, const TrialContext& ctx) {
  TrialRecord r;
  r.point = point.index;
  r.trial = trial;
  r.seed = trial_seed(plan.seed, trial);
  TrialMeasurement m;
  m.fault_free_accuracy = prepared.fault_free_accuracy;
  const Workload& w = prepared.workload;
  const Config& c = point.config;
  DeployedWeights weights;
  try {
    // Trial index 0 with the derived seed: `safsim run --set seed=<seed>` redraws this trial.
    weights = deploy(w.qmodel, c.faults, c.mitigation, r.seed, /*trial=*/0, &m.stats);
    if (c.mitigation.bias_compensation == BiasCompensation::kMean) {
      compensate_biases(w.qmodel, weights, w.calibration_images, ctx.engine_threads, m.stats);
    }
  } catch (const UserError& e) {
    throw UserError(
        fmt::format("point {} ({}) trial {}: {}", point.index, point.key, trial, e.what()));
  }
  if (c.engine == EngineKind::kCycle) {
    if (std::find(plan.metrics.begin(), plan.metrics.end(), "failure_rate") != plan.metrics.end()) {
      throw ConfigError(fmt::format(
          "point {} ({}): metric failure_rate needs per-image results of the functional engine; "
          "set engine: functional",
          point.index, point.key));
    }
    run_cycle_child(point, trial, r.seed, ctx, m);
  } else {
    const FunctionalOutcome o =
        functional_outcome(prepared, c, plan.selftest, weights, r.seed, ctx.engine_threads);
    m.accuracy = o.accuracy;
    m.failure_rate = o.failure_rate;
    m.top1_agreement = o.top1_agreement;
    m.mean_abs_logit_change = o.mean_abs_logit_change;
    const std::vector<std::string> cols = selftest_columns(plan.selftest);
    for (size_t i = 0; i < o.selftest.size(); ++i) {
      m.selftest.emplace_back(cols[i], o.selftest[i]);
    }
  }
  r.metrics = metric_values(plan.metrics, m);
  return r;
}

}  // namespace safsim
