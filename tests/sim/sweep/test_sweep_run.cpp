// Running sweeps in-process on lenet5 with 100 test images: results independent of the thread
// count, resume from a partial (even torn) journal equal to an uninterrupted run byte for byte,
// directory and journal errors, and the aggregate statistics.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/errors.h"
#include "sim/sweep/journal.h"
#include "sim/sweep/mpi_transport.h"
#include "sim/sweep/report.h"
#include "sim/sweep/runner.h"

using namespace safsim;
namespace fs = std::filesystem;

namespace {

const char* kSweep = R"(
name: unit
config:
  workload: {model: lenet5, images: 100}
  quant: {weight_bits: 4}
axes:
  - {key: faults.weights.stuck_at.rate, values: [0.005, 0.02]}
  - {key: mitigation.scheme, values: [none, addsub]}
repeat: 3
metrics: [accuracy, accuracy_drop, non_silent_faults, max_abs_deviation_after]
)";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path fresh_dir(const std::string& name) {
  // The pid keeps concurrent test runs (ctest -j, several build trees) apart.
  const fs::path d =
      fs::temp_directory_path() / ("safsim_test_sweep_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(d);
  return d;
}

SweepOutcome run(const SweepPlan& plan, const fs::path& dir, int threads, bool resume = false) {
  MpiTransport single_process;
  SweepOptions o;
  o.out_dir = dir.string();
  o.threads = threads;
  o.resume = resume;
  o.show_progress = false;
  return run_sweep(plan, o, single_process);
}

}  // namespace

TEST_CASE("results do not depend on the thread count, and resume equals a full run",
          "[sweep][slow]") {
  const SweepPlan plan = plan_sweep(parse_sweep(kSweep, "unit.yaml"));
  const fs::path one = fresh_dir("t1"), two = fresh_dir("t2"), resumed = fresh_dir("resumed");
  REQUIRE(run(plan, one, 1).complete);
  REQUIRE(run(plan, two, 2).complete);
  for (const char* f : {"results.csv", "aggregate.csv", "summary.json", "sweep.resolved.yaml"}) {
    INFO(f);
    REQUIRE(slurp(one / f) == slurp(two / f));
  }
  // A journal cut after 5 trials, mid-line, as a kill -9 during a write leaves it.
  const std::string journal = slurp(one / "journal.jsonl");
  size_t cut = 0;
  for (int line = 0; line < 6; ++line) {
    cut = journal.find('\n', cut) + 1;
  }
  fs::create_directories(resumed);
  std::ofstream(resumed / "journal.jsonl", std::ios::binary) << journal.substr(0, cut + 40);
  const SweepOutcome r = run(plan, resumed, 2, /*resume=*/true);
  REQUIRE(r.complete);
  REQUIRE(r.from_journal == 5);
  REQUIRE(r.ran == plan.trials() - 5);
  for (const char* f : {"results.csv", "aggregate.csv", "summary.json", "sweep.resolved.yaml"}) {
    INFO(f);
    REQUIRE(slurp(one / f) == slurp(resumed / f));
  }
  // The torn line was cut away: every line of the resumed journal is whole JSON.
  const std::string rj = slurp(resumed / "journal.jsonl");
  REQUIRE(std::count(rj.begin(), rj.end(), '\n') == plan.trials() + 1);

  const std::string csv = slurp(one / "results.csv");
  REQUIRE(csv.substr(0, csv.find('\n')) ==
          "point,faults.weights.stuck_at.rate,mitigation.scheme,trial,seed,accuracy,"
          "accuracy_drop,non_silent_faults,max_abs_deviation_after");
  for (const fs::path& d : {one, two, resumed}) {
    fs::remove_all(d);
  }
}

TEST_CASE("an existing journal needs --resume, a foreign one is refused", "[sweep][slow]") {
  const std::string small = R"(
config: {workload: {model: lenet5, images: 20}}
axes: [{key: faults.weights.stuck_at.rate, values: [0.01]}]
)";
  const SweepPlan plan = plan_sweep(parse_sweep(small, "a.yaml"));
  const fs::path dir = fresh_dir("exists");
  REQUIRE(run(plan, dir, 1).complete);
  REQUIRE_THROWS_WITH(run(plan, dir, 1),
                      "'" + dir.string() + "' already holds a sweep journal (" + dir.string() +
                          "/journal.jsonl); pass --resume to continue that sweep, or choose "
                          "another --out directory");
  // Resuming a finished sweep runs nothing and rewrites the same files.
  const std::string before = slurp(dir / "results.csv");
  const SweepOutcome again = run(plan, dir, 1, true);
  REQUIRE(again.ran == 0);
  REQUIRE(slurp(dir / "results.csv") == before);

  const SweepPlan other = plan_sweep(parse_sweep(std::string(small) + "seed: 2\n", "a.yaml"));
  REQUIRE_THROWS_WITH(run(other, dir, 1, true),
                      dir.string() +
                          "/journal.jsonl:1: this journal belongs to a different sweep (or "
                          "another safsim version); use another --out directory, or delete the "
                          "directory to start over");
  fs::remove_all(dir);
}

TEST_CASE("aggregate statistics: mean, sample std, Student-t 95% interval", "[sweep]") {
  const MetricSummary s = summarize({1.0, 2.0, 3.0});
  REQUIRE(s.n == 3);
  REQUIRE(s.mean == 2.0);
  REQUIRE(s.std == 1.0);
  REQUIRE(s.min == 1.0);
  REQUIRE(s.max == 3.0);
  REQUIRE(s.ci95_lo == Approx(2.0 - 4.303 / std::sqrt(3.0)));
  REQUIRE(s.ci95_hi == Approx(2.0 + 4.303 / std::sqrt(3.0)));
  const MetricSummary same = summarize({0.39, 0.39, 0.39});
  REQUIRE(same.std == 0.0);  // exactly, not rounding noise
  REQUIRE(same.mean == 0.39);
  REQUIRE(std::isnan(summarize({0.5}).std));
  REQUIRE(t_quantile_975(30) == 2.042);
  REQUIRE(t_quantile_975(31) == Approx(2.040).margin(1e-3));
  REQUIRE(t_quantile_975(1000) == Approx(1.962).margin(1e-3));
}

TEST_CASE("a point that cannot deploy stops the sweep before any trial", "[sweep][slow]") {
  const SweepPlan plan = plan_sweep(parse_sweep(R"(
config: {workload: {model: lenet5, images: 20}, mitigation: {scheme: secded}}
axes: [{key: mitigation.secded_group_words, values: [1, 32]}]
)",
                                                "g.yaml"));
  const fs::path dir = fresh_dir("preflight");
  REQUIRE_THROWS_WITH(run(plan, dir, 2),
                      "point 1 (mitigation.secded_group_words=32): mitigation.secded_group_words "
                      "32 x 8 weight bits exceeds the 64 data bits of one SEC-DED codeword");
  REQUIRE_FALSE(fs::exists(dir / "journal.jsonl"));
  fs::remove_all(dir);
}

TEST_CASE("trials whose decoded weights equal an earlier run's reuse its accuracy", "[sweep]") {
  // At rate 0 every scheme decodes to the quantized weights: the fault-free run answers all.
  const SweepPlan plan = plan_sweep(parse_sweep(R"(
config: {workload: {model: lenet5, images: 20}}
axes: [{key: mitigation.scheme, values: [none, addsub, secded]}]
repeat: 2
metrics: [accuracy, accuracy_drop]
)",
                                                "m.yaml"));
  const fs::path dir = fresh_dir("memo");
  const SweepOutcome r = run(plan, dir, 2);
  REQUIRE(r.memo_hits == 6);
  REQUIRE(slurp(dir / "aggregate.csv").find(",0,0,0,0,0,0\n") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("a journal repair keeps the records, drops the rest and lists every dropped line",
          "[sweep]") {
  const SweepPlan plan = plan_sweep(parse_sweep(R"(
axes: [{key: faults.weights.stuck_at.rate, values: [0, 0.01, 0.02, 0.03]}]
repeat: 5
metrics: [accuracy]
)",
                                                "r.yaml"));
  const fs::path dir = fresh_dir("repair");
  fs::create_directories(dir);
  const std::string path = (dir / "journal.jsonl").string();
  std::vector<TrialRecord> records;
  for (int point = 0; point < 4; ++point) {
    for (int trial = 0; trial < 5; ++trial) {
      records.push_back({point, trial, trial_seed(plan.seed, trial), {0.5 + 0.01 * trial}});
    }
  }
  { SweepJournal(path, plan, {}, 0).append(records); }
  // Lines 2..21 are records; corrupt 12 of them: 3, 5-8, 12-17 and 21.
  std::vector<std::string> lines;
  {
    std::istringstream in(slurp(path));
    for (std::string l; std::getline(in, l);) {
      lines.push_back(l);
    }
  }
  for (int n : {3, 5, 6, 7, 8, 12, 13, 14, 15, 16, 17, 21}) {
    lines[size_t(n - 1)] = lines[size_t(n - 1)].substr(0, 30);  // cut: no longer JSON
  }
  {
    std::ofstream out(path, std::ios::binary);
    for (const std::string& l : lines) {
      out << l << "\n";
    }
  }
  REQUIRE_THROWS_WITH(read_journal(path, plan, {}),
                      Catch::Matchers::StartsWith(path + ":3: not a JSON object; continue with "
                                                         "--resume --repair"));
  const JournalRepair r = repair_journal(path, plan, {});
  REQUIRE(r.rewritten);
  REQUIRE(r.kept == 8);
  REQUIRE(r.dropped.size() == 12);
  CHECK(r.tail_line == 0);
  const std::string report = describe_repair(path, r);
  CHECK_THAT(report, Catch::Matchers::StartsWith(
                         "repaired " + path +
                         ": kept the header and 8 record(s); dropped 12 line(s) that are not "
                         "records of this sweep (lines 3, 5-8, 12-17, 21); their trials run "
                         "again\n  line 3: not a JSON object\n"));
  CHECK_THAT(report, Catch::Matchers::EndsWith("\n  line 16: not a JSON object\n  ... and 2 more"));
  // What is left is exactly the intact records, in their order, and reads without error.
  const JournalContents c = read_journal(path, plan, {});
  REQUIRE(c.records.size() == 8);
  const std::vector<int> intact = {2, 4, 9, 10, 11, 18, 19, 20};  // journal line numbers
  for (size_t i = 0; i < intact.size(); ++i) {
    const TrialRecord& want = records[size_t(intact[i] - 2)];
    CHECK(c.records[i].point == want.point);
    CHECK(c.records[i].trial == want.trial);
    CHECK(c.records[i].metrics == want.metrics);
  }
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
  // Nothing to drop: the file is left as it is.
  const std::string repaired = slurp(path);
  CHECK_FALSE(repair_journal(path, plan, {}).rewritten);
  CHECK(slurp(path) == repaired);
  fs::remove_all(dir);
}
