// A sweep expanded into its points: the cartesian product of the axes, every point's full
// Config checked (types, ranges, cross-key rules) before any trial runs, plus trial seeds.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/config.h"
#include "sim/config/fields.h"
#include "sim/sweep/spec.h"

namespace safsim {

struct SweepPoint {
  int index = 0;
  std::vector<std::string> values;  // per SweepPlan::columns: the resolved value, as text
  std::string key;                  // "col=value,col=value": names the point in the journal
  Config config;                    // seed is set per trial (trial_seed)
};

/// The points of a plan, stored as what they are made of rather than one Config each (a
/// million-point grid of two axes holds two thousand resolved axis values, not a million
/// configs): every axis value is read and checked once, and a point's Config, key and values
/// are put together from its axes' values when asked for.
struct SweepPointSpace {
  /// One alternative of one axis, resolved on top of the base config.
  struct Choice {
    std::vector<ConfigValue> fields;  // typed values of the axis's columns (Axis::fields order)
    std::vector<std::string> values;  // the same, as text (config_value_text)
    std::string key;                  // "col=value,col=value" for the axis's columns
    std::string resolved;             // "col: value, ..." as sweep.resolved.yaml writes them
  };
  struct Axis {
    std::vector<size_t> fields;  // config_field_index() of its columns, in column order
    std::vector<Choice> choices;
    int64_t stride = 1;  // points from one of its choices to the next: the later axes' product
  };
  Config base;
  std::vector<Axis> axes;
  int64_t count = 1;
  std::string resolved_head;  // sweep.resolved.yaml up to the first point's line

  /// Which choice of axis `a` point `index` takes.
  size_t choice_of(int64_t index, size_t a) const {
    return size_t(index / axes[a].stride % int64_t(axes[a].choices.size()));
  }
};

struct SweepPlan {
  std::string name;
  std::string sweep_path;
  int repeat = 1;
  uint64_t seed = 1;
  std::vector<std::string> columns;  // the axis keys, in order of first appearance
  std::vector<SweepMetricName> metric_names;
  std::vector<std::string> metrics;  // recorded metric columns
  SweepSelfTest selftest;            // the detection experiment, when enabled
  Config base;                       // base file + config:, no axes
  uint64_t fingerprint = 0;          // hash of resolved_yaml(); ties a journal to this sweep
  std::shared_ptr<const SweepPointSpace> space;  // first axis outermost, last axis fastest

  int64_t point_count() const { return space ? space->count : 0; }
  int64_t trials() const { return point_count() * repeat; }
  /// Point `index` (0 <= index < point_count()) with its Config: a copy of the base with the
  /// point's axis values set (microseconds; nothing is re-read).
  SweepPoint point(int64_t index) const;
  Config point_config(int64_t index) const;
  std::string point_key(int64_t index) const;
  std::vector<std::string> point_values(int64_t index) const;
  /// Calls `visit` for every point in order; between two points only the axes that change are
  /// set on the one Config it reuses, so a pass over a million points takes well under a
  /// second. `visit` may throw to stop.
  void for_each_point(const std::function<void(const SweepPoint&)>& visit) const;
  /// sweep.resolved.yaml: the sweep with every default filled in and every point listed; itself
  /// a valid sweep file that plans to this plan.
  std::string resolved_yaml() const;
};

/// Expands the axes and checks every point's Config: base file, then `config:`, then the
/// point's axis values. Throws ConfigError with the sweep file's position of the bad value, or
/// for two points that resolve to the same configuration, or a bad metric; for a sweep with
/// several bad points, the error is the one of the first bad point, as if each point were
/// built in turn. Time is linear in the points, memory in the axis values.
///   SweepPlan p = plan_sweep(load_sweep("configs/sweeps/example_rates.yaml"));
///   // p.trials() == p.point_count() * p.repeat
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
