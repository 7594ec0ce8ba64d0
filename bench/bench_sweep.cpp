// Campaign throughput of `safsim sweep` in trial-images per second: one trial (deploy + the
// single-threaded functional engine over all 10,000 test images, as every trial of
// configs/repro/001_table5.yaml does), and a small campaign end to end on all cores; and how
// planning scales: rows x 1000 grids up to the 10^6 points a sweep may have.
// Not a test: run it by hand (docs/sweeps.md, docs/performance.md).
//   build/bench/bench_sweep --benchmark_min_time=3
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>

#include "sim/sweep/mpi_transport.h"
#include "sim/sweep/plan.h"
#include "sim/sweep/runner.h"
#include "sim/sweep/spec.h"
#include "sim/sweep/trial_runner.h"

namespace {

using namespace safsim;

const char* kSchemes[] = {"none", "addsub", "lsb", "c1", "optimal", "secded"};

/// 001 Table 5's model: 4-bit lenet5 on every test image, 1% stuck-at cells (rram 4:1).
SweepPlan table5_point(const std::string& scheme, int images) {
  return plan_sweep(parse_sweep(
      "config: {workload: {model: lenet5, images: " + std::to_string(images) +
          "}, quant: {weight_bits: 4}, faults: {weights: {stuck_at: {rate: 0.01, preset: "
          "rram}}}, mitigation: {scheme: " +
          scheme + "}}\nrepeat: 1000\n",
      "bench.yaml"));
}

void BM_SweepTrial(benchmark::State& state) {
  const SweepPlan plan = table5_point(kSchemes[state.range(0)], 0);
  WorkloadCache cache;
  const SweepPoint point = plan.point(0);
  cache.prepare(point.config, 0);
  const PreparedWorkload& w = cache.at(point.config);
  TrialContext ctx;  // one engine thread: trials are what runs in parallel
  int trial = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(run_trial(plan, point, trial++ % plan.repeat, w, ctx));
  }
  state.SetLabel(kSchemes[state.range(0)]);
  state.counters["trial_images_per_s"] = benchmark::Counter(
      double(state.iterations()) * w.workload.images.count, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SweepTrial)->DenseRange(0, 5)->Unit(benchmark::kMillisecond);

void BM_SweepCampaignAllCores(benchmark::State& state) {
  const SweepPlan plan = plan_sweep(parse_sweep(R"(
config: {workload: {model: lenet5, images: 2000}, quant: {weight_bits: 4}}
axes:
  - {key: faults.weights.stuck_at.rate, values: [0.005, 0.02]}
  - {key: mitigation.scheme, values: [none, addsub]}
repeat: 4
)",
                                                "campaign.yaml"));
  const std::string dir = (std::filesystem::temp_directory_path() / "safsim_bench_sweep").string();
  int64_t images = 0;
  for (auto _ : state) {
    std::filesystem::remove_all(dir);
    MpiTransport single_process;
    SweepOptions o;
    o.out_dir = dir;
    o.show_progress = false;
    images += run_sweep(plan, o, single_process).trial_images;
  }
  std::filesystem::remove_all(dir);
  state.counters["trial_images_per_s"] =
      benchmark::Counter(double(images), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SweepCampaignAllCores)->Unit(benchmark::kMillisecond)->UseRealTime();

/// plan_sweep() of a rows x 1000 grid (stuck-at rate x workload.images), as
/// tests/inputs/sweep_grid_1000x1000.yaml is for rows = 1000: every point checked, the resolved
/// sweep fingerprinted. Linear planning shows as a constant points_per_s over the rows.
void BM_SweepPlanGrid(benchmark::State& state) {
  const int64_t rows = state.range(0);
  std::string rates, images;
  for (int64_t i = 0; i < rows; ++i) {
    rates += (i == 0 ? "" : ", ") + std::to_string(double(i) / double(rows));
  }
  for (int i = 1; i <= 1000; ++i) {
    images += (i == 1 ? "" : ", ") + std::to_string(i);
  }
  const SweepSpec spec = parse_sweep(
      "config: {workload: {model: lenet5}}\naxes:\n  - {key: faults.weights.stuck_at.rate, "
      "values: [" +
          rates + "]}\n  - {key: workload.images, values: [" + images + "]}\n",
      "grid.yaml");
  int64_t points = 0;
  for (auto _ : state) {
    const SweepPlan plan = plan_sweep(spec);
    points += plan.point_count();
    benchmark::DoNotOptimize(plan.fingerprint);
  }
  state.counters["points"] = double(rows * 1000);
  state.counters["points_per_s"] = benchmark::Counter(double(points), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SweepPlanGrid)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace
