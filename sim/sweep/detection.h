// The `selftest:` section of a sweep file: the detection experiment of 000 §IV. Test sets are
// selected once per workload; each trial records whether its fault map is harmful (the full
// test accuracy drops by at least theta points) and whether each strategy's self-test fires.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "hw_models/test_set.h"
#include "sim/selection/selection.h"

namespace safsim {

///   selftest:
///     strategies: [corner, grad, corner_grad, prob_distrib, coverage, random, sensitivity]
///     count: 20                  # coverage takes as many as Algorithm 1 needs
///     harm_threshold_points: 1   # theta: harmful = accuracy drop >= theta percentage points
///     criterion: {min_mismatches: 1, logit_threshold: 0}
///     grad_label: golden
///     sensitivity: {maps: 20, mode: random, rate: 0.005}
struct SweepSelfTest {
  bool enabled = false;
  std::vector<SelectionStrategy> strategies;
  int count = 20;
  double harm_threshold_points = 1.0;
  SelfTestCriterion criterion;
  SelectionOptions options;  // grad label and the sensitivity baseline's maps

  /// The options for one strategy (coverage: count 0, as many as the cover needs).
  SelectionOptions options_for(SelectionStrategy s) const;
};

/// Parses the section; throws ConfigError "path:line:col: selftest...: ..." on an unknown key
/// (did-you-mean), an unknown strategy, a duplicate, or a value out of range.
SweepSelfTest parse_sweep_selftest(const YAML::Node& node, const std::string& path);

/// Writes the section (as a `selftest:` value) for sweep.resolved.yaml.
void emit_sweep_selftest(YAML::Emitter& out, const SweepSelfTest& s);

/// The per-trial columns it adds: "harmful", then "detected_<strategy>" per strategy.
std::vector<std::string> selftest_columns(const SweepSelfTest& s);

}  // namespace safsim
