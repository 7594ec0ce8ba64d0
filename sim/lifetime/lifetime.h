// `safsim lifetime`: a lifetime of inferences on a faulty NVM (docs/lifetime.md). Transient
// weight upsets arrive as a Poisson process per cell per hour, stuck-at defects grow with age
// by a rate law; every test period the self-test (judge_self_test on the functional engine,
// bit-exact with the cycle engine) may flag, and on a flag the weights may be healed.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/random_stream.h"
#include "sim/config.h"
#include "sim/selection/selftest_setup.h"
#include "workloads/dataset.h"
#include "workloads/quant_model.h"

namespace safsim {

/// Cumulative defect intensity per cell, H(t) = integral of r over [0, t], for the rate laws
/// constant r0, power r0 (t/t0)^beta and exponential r0 exp(t/t0); and its inverse.
double defect_cumulative(const LifetimeConfig& l, double hours);
double defect_cumulative_inverse(const LifetimeConfig& l, double h);

/// Arrivals of a Poisson process over `cells` cells with per-cell cumulative intensity H, as
/// events in time order: arrival i is the draws 3i..3i+2 of `stream` (gap, cell, stuck value),
/// so the sequence is a pure function of the key.
class PoissonArrivals {
 public:
  struct Event {
    double hours = 0;
    int64_t cell = 0;
    bool value = false;  // stuck-at value for defects (true with probability `one_fraction`)
  };
  PoissonArrivals(RandomStream stream, int64_t cells, double one_fraction,
                  std::function<double(double)> inverse_cumulative);
  /// The next arrival if it comes no later than `hours`; it stays pending otherwise.
  bool next_until(double hours, Event* e);
  uint64_t arrivals() const { return i_; }

 private:
  void draw();
  RandomStream stream_;
  int64_t cells_;
  double one_fraction_;
  std::function<double(double)> inverse_;
  double cumulative_ = 0;  // H of the pending arrival (per cell)
  Event pending_;
  uint64_t i_ = 0;  // arrivals handed out
};

/// One row of timeline.csv.
struct LifetimePoint {
  double hours = 0;
  double inferences = 0;
  int64_t defective_cells = 0, upset_cells = 0;
  double accuracy = 0, drop_points = 0;
  bool harmful = false;
  bool tested = false;  // a self-test ran at this point
  SelfTestVerdict verdict;
  bool healed = false;
  double accuracy_after_heal = 0;
};

struct LifetimeResult {
  double fault_free_accuracy = 0;
  uint64_t period_inferences = 0;
  std::vector<LifetimePoint> timeline;
  nlohmann::ordered_json summary;  // detection latency, false alarms, overhead (docs/lifetime.md)
};

/// The whole timeline of `c.selftest.lifetime` for the model `qm` evaluated on `eval` (the
/// workload images), with `program` as the self-test and `cycles_per_image` from the cycle
/// engine. Deterministic for a seed, whatever `threads`.
LifetimeResult run_lifetime(const Config& c, const QuantModel& qm, const Dataset& eval,
                            const SelfTestProgram& program, uint64_t cycles_per_image, int threads);

/// timeline.csv: one line per evaluation point.
std::string lifetime_csv(const LifetimeResult& r);

}  // namespace safsim
