// The SelfTestController's keys of the `selftest` config section: when a test runs and what
// flags a fault (000, docs/lifetime.md). sim/config.h adds the lifetime model to the section.
#pragma once

#include <cstdint>
#include <string>

#include "base/enum_names.h"

namespace safsim {

enum class PeriodUnit { kInferences, kCycles };

/// The SelfTestController (000): test images run every `period`, compared with golden results.
struct SelfTestControllerConfig {
  bool enabled = false;
  std::string testset;
  uint64_t period = 1000;
  PeriodUnit period_unit = PeriodUnit::kInferences;
  int min_mismatches = 1;
  double logit_threshold = 0;

  template <class V>
  void visit_controller(V& v) {
    v.value("enabled", enabled, "safsim run: load the SelfTestController with the test set");
    v.value("testset", testset, "testset.json (safsim select) with the golden results");
    v.value("period", period, uint64_t{1}, uint64_t{1} << 62,
            "a self-test starts every `period` inferences or cycles");
    v.choice("period_unit", period_unit,
             EnumNames<PeriodUnit>{{"inferences", PeriodUnit::kInferences},
                                   {"cycles", PeriodUnit::kCycles}},
             "unit of selftest.period");
    v.value("min_mismatches", min_mismatches, 1, 1000000,
            "k: flag when at least k test images change their top-1");
    v.value("logit_threshold", logit_threshold, 0.0, 1e30,
            "also flag when a logit moves more than this (L-inf, real units); 0 = off");
  }
};

}  // namespace safsim
