// A sweep expanded into its points: the cartesian product of the axes, every point's full
// Config built (and so type- and range-checked) before any trial runs, plus trial seeds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/config.h"
#include "sim/sweep/spec.h"

namespace safsim {

struct SweepPoint {
  int index = 0;
  std::vector<std::string> values;  // per SweepPlan::columns: the resolved value, as text
  std::string key;                  // "col=value,col=value": names the point in the journal
  Config config;                    // seed is set per trial (trial_seed)
};

struct SweepPlan {
  std::string name;
  std::string sweep_path;
  int repeat = 1;
  uint64_t seed = 1;
  std::vector<std::string> columns;  // the axis keys, in order of first appearance
  std::vector<SweepMetricName> metric_names;
  std::vector<std::string> metrics;  // recorded metric columns
  std::vector<SweepPoint> points;    // first axis outermost, last axis fastest
  SweepSelfTest selftest;            // the detection experiment, when enabled
  Config base;                       // base file + config:, no axes
  std::string resolved_yaml;         // sweep.resolved.yaml: itself a valid sweep file
  uint64_t fingerprint = 0;          // hash of resolved_yaml; ties a journal to this sweep

  int64_t trials() const { return int64_t(points.size()) * repeat; }
};

/// Expands the axes and builds every point's Config: base file, then `config:`, then the
/// point's axis values. Throws ConfigError with the sweep file's position of the bad value, or
/// for two points that resolve to the same configuration, or a bad metric.
///   SweepPlan p = plan_sweep(load_sweep("configs/sweeps/example_rates.yaml"));
///   // p.trials() == p.points.size() * p.repeat
SweepPlan plan_sweep(const SweepSpec& spec);

/// Seed of trial `trial` (the config seed deploy() uses): a counter-based draw keyed by
/// (sweep seed, trial), the same at every point so schemes are compared on the same fault maps.
/// `safsim run CONFIG --set seed=<it>` redraws that trial's faults.
uint64_t trial_seed(uint64_t sweep_seed, int trial);

/// Text of one config value, as config.resolved.yaml writes it ("0.001", "addsub", "[a, b]").
std::string config_value_text(const Config& c, const std::string& dotted_key);

/// Identity of what a point's model, quantization and test images depend on (workload.* and
/// quant.*): points with equal keys share the quantized model and the fault-free accuracy.
std::string workload_key(const Config& c);

}  // namespace safsim
