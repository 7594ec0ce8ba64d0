// The lifetime timeline: fault arrivals, accuracy checkpoints, self-tests, healing, episodes.
#include "sim/lifetime/lifetime.h"

#include <fmt/format.h>

#include <cmath>

#include "base/errors.h"
#include "sim/engines/functional_engine.h"
#include "sim/lifetime/lifetime_memory.h"

namespace safsim {
namespace {

// More arrivals than this would take hours; the user should shorten the timeline.
constexpr double kMaxExpectedArrivals = 2e7;
constexpr uint64_t kMaxPoints = 200000;

struct Episode {
  double onset_hours = 0;
  bool detected = false;
  double detected_hours = 0;
  int tests_before_detection = 0;  // tests that ran in the episode before the flag
};

void check_arrivals(double expected, const char* keys) {
  if (expected > kMaxExpectedArrivals) {
    throw ConfigError(fmt::format(
        "{} give {:.3g} expected arrivals over selftest.lifetime.hours (limit {:.0g}): lower the "
        "rate or the hours",
        keys, expected, kMaxExpectedArrivals));
  }
}

}  // namespace

double defect_cumulative(const LifetimeConfig& l, double t) {
  const double r0 = l.defect_rate_per_bit_hour, t0 = l.defect_t0_hours;
  switch (l.defect_growth) {
    case DefectGrowth::kConstant:
      return r0 * t;
    case DefectGrowth::kPower:
      return r0 * t0 / (l.defect_beta + 1.0) * std::pow(t / t0, l.defect_beta + 1.0);
    case DefectGrowth::kExponential:
      return r0 * t0 * std::expm1(t / t0);
  }
  return 0.0;
}

double defect_cumulative_inverse(const LifetimeConfig& l, double h) {
  const double r0 = l.defect_rate_per_bit_hour, t0 = l.defect_t0_hours;
  switch (l.defect_growth) {
    case DefectGrowth::kConstant:
      return h / r0;
    case DefectGrowth::kPower:
      return t0 * std::pow(h * (l.defect_beta + 1.0) / (r0 * t0), 1.0 / (l.defect_beta + 1.0));
    case DefectGrowth::kExponential:
      return t0 * std::log1p(h / (r0 * t0));
  }
  return 0.0;
}

PoissonArrivals::PoissonArrivals(RandomStream stream, int64_t cells, double one_fraction,
                                 std::function<double(double)> inverse_cumulative)
    : stream_(stream),
      cells_(cells),
      one_fraction_(one_fraction),
      inverse_(std::move(inverse_cumulative)) {
  draw();
}

// Superposed over the cells, arrivals come at rate `cells` in cumulative-intensity time:
// H_i = H_{i-1} + Exp(1) / cells, at hours H^-1(H_i), on a uniformly drawn cell.
void PoissonArrivals::draw() {
  const uint64_t k = 3 * i_;
  cumulative_ += -std::log1p(-stream_.uniform_at(k)) / double(cells_);
  pending_.hours = inverse_ ? inverse_(cumulative_) : INFINITY;
  pending_.cell = std::min(cells_ - 1, int64_t(stream_.uniform_at(k + 1) * double(cells_)));
  pending_.value = stream_.uniform_at(k + 2) < one_fraction_;
}

bool PoissonArrivals::next_until(double hours, Event* e) {
  if (!(pending_.hours <= hours)) {
    return false;
  }
  *e = pending_;
  ++i_;
  draw();
  return true;
}

LifetimeResult run_lifetime(const Config& c, const QuantModel& qm, const Dataset& eval,
                            const SelfTestProgram& program, uint64_t cycles_per_image,
                            int threads) {
  const SelfTestConfig& st = c.selftest;
  const LifetimeConfig& l = st.lifetime;
  LifetimeResult r;
  r.period_inferences =
      st.period_unit == PeriodUnit::kInferences
          ? st.period
          : std::max<uint64_t>(1, (st.period + cycles_per_image - 1) / cycles_per_image);
  const double period_hours = double(r.period_inferences) / l.inferences_per_hour;
  const auto tests = uint64_t(std::floor(l.hours / period_hours));
  if (tests == 0 || tests * uint64_t(l.evals_per_period) > kMaxPoints) {
    throw ConfigError(fmt::format(
        "selftest.lifetime: {} tests x {} evals_per_period in {} hours (a test every {} "
        "inferences at {} per hour); allowed 1 to {} points: change selftest.period or "
        "selftest.lifetime.hours",
        tests, l.evals_per_period, l.hours, r.period_inferences, l.inferences_per_hour,
        kMaxPoints));
  }
  LifetimeMemory mem(qm, c.mitigation);
  const auto cells = double(mem.cells());
  check_arrivals(cells * l.flip_rate_per_bit_hour * l.hours,
                 "selftest.lifetime.flip_rate_per_bit_hour x the weight cells");
  check_arrivals(cells * defect_cumulative(l, l.hours),
                 "selftest.lifetime.defect_* x the weight cells");
  const double flip_rate = l.flip_rate_per_bit_hour;
  PoissonArrivals flips(
      RandomStream(c.seed, 0, "lifetime_flips"), mem.cells(), 0.0,
      flip_rate > 0 ? std::function<double(double)>([flip_rate](double h) { return h / flip_rate; })
                    : nullptr);
  PoissonArrivals defects(RandomStream(c.seed, 0, "lifetime_defects"), mem.cells(), l.sa1_fraction,
                          l.defect_rate_per_bit_hour > 0
                              ? std::function<double(double)>(
                                    [&l](double h) { return defect_cumulative_inverse(l, h); })
                              : nullptr);
  const SelfTestCriterion criterion = self_test_criterion(st);
  const auto accuracy_of = [&](const DeployedWeights& w) {
    return accuracy(FunctionalEngine(qm, w, threads).run(eval), eval.labels);
  };
  r.fault_free_accuracy = accuracy_of(mem.deployed());
  std::vector<Episode> episodes;
  bool in_episode = false;
  uint64_t flags = 0, false_alarms = 0, heals = 0;
  int64_t march_operations = 0;
  const uint64_t points = tests * uint64_t(l.evals_per_period);
  for (uint64_t m = 1; m <= points; ++m) {
    LifetimePoint p;
    p.hours = period_hours * double(m) / l.evals_per_period;
    p.inferences = p.hours * l.inferences_per_hour;
    PoissonArrivals::Event e;
    while (flips.next_until(p.hours, &e)) {
      mem.upset(e.cell);
    }
    while (defects.next_until(p.hours, &e)) {
      mem.add_defect(e.cell, e.value);
    }
    p.defective_cells = mem.defective_cells();
    p.upset_cells = mem.upset_cells();
    const FunctionalEngine engine(qm, mem.deployed(), threads);  // decodes the words once
    p.accuracy = accuracy(engine.run(eval), eval.labels);
    p.drop_points = 100.0 * (r.fault_free_accuracy - p.accuracy);
    p.harmful = p.drop_points >= l.harmful_drop_points;
    if (p.harmful && !in_episode) {
      in_episode = true;
      episodes.push_back({p.hours});
    } else if (!p.harmful && in_episode) {
      in_episode = false;  // the drop receded below theta on its own
    }
    p.tested = m % uint64_t(l.evals_per_period) == 0;
    if (p.tested) {
      const Logits out = engine.run(program.images);
      p.verdict = judge_self_test(program.set, out, criterion);
      if (in_episode && !episodes.back().detected) {
        Episode& ep = episodes.back();
        if (p.verdict.fault_detected) {
          ep.detected = true;
          ep.detected_hours = p.hours;
        } else {
          ++ep.tests_before_detection;
        }
      }
      if (p.verdict.fault_detected) {
        ++flags;
        false_alarms += p.harmful ? 0 : 1;
        if (l.heal) {
          march_operations += mem.march_and_rewrite().operations();
          ++heals;
          p.healed = true;
          p.accuracy_after_heal = accuracy_of(mem.deployed());
          in_episode = false;
        }
      }
    }
    r.timeline.push_back(p);
  }
  // Summary: what the controller caught, how late, and what it cost.
  nlohmann::ordered_json s;
  const uint64_t images = program.set.images.size();
  const double inferences = r.timeline.back().inferences;
  const double test_cycles = double(tests) * double(images) * double(cycles_per_image);
  const double work_cycles = std::floor(inferences) * double(cycles_per_image);
  s["fault_free_accuracy"] = r.fault_free_accuracy;
  s["final_accuracy"] = r.timeline.back().accuracy;
  s["hours"] = r.timeline.back().hours;
  s["inferences"] = std::floor(inferences);
  s["period_inferences"] = r.period_inferences;
  s["period_hours"] = period_hours;
  s["harmful_drop_points"] = l.harmful_drop_points;
  s["tests"] = tests;
  s["flags"] = flags;
  s["false_alarms"] = false_alarms;
  s["heals"] = heals;
  s["march_operations"] = march_operations;
  s["flip_arrivals"] = flips.arrivals();
  s["defect_arrivals"] = defects.arrivals();
  s["final_defective_cells"] = r.timeline.back().defective_cells;
  s["weight_cells"] = mem.cells();
  nlohmann::ordered_json eps = nlohmann::ordered_json::array();
  double latency_sum = 0;
  uint64_t detected = 0;
  for (const Episode& ep : episodes) {
    nlohmann::ordered_json j;
    j["onset_hours"] = ep.onset_hours;
    j["detected"] = ep.detected;
    if (ep.detected) {
      j["detected_hours"] = ep.detected_hours;
      j["latency_hours"] = ep.detected_hours - ep.onset_hours;
      latency_sum += ep.detected_hours - ep.onset_hours;
      ++detected;
    }
    j["tests_before_detection"] = ep.tests_before_detection;
    eps.push_back(std::move(j));
  }
  s["harmful_episodes"] = episodes.size();
  s["detected_episodes"] = detected;
  s["missed_episodes"] = episodes.size() - detected;
  s["mean_detection_latency_hours"] = detected > 0 ? latency_sum / double(detected) : 0.0;
  s["episodes"] = std::move(eps);
  s["overhead"] = {{"cycles_per_image", cycles_per_image},
                   {"test_images", images},
                   {"cycles_per_test", images * cycles_per_image},
                   {"test_cycles", test_cycles},
                   {"workload_cycles", work_cycles},
                   {"test_cycle_share", test_cycles / (test_cycles + work_cycles)},
                   {"buffer_bytes", self_test_buffer(qm, int(images)).bytes()}};
  r.summary = std::move(s);
  return r;
}

std::string lifetime_csv(const LifetimeResult& r) {
  std::string out =
      "hours,inferences,defective_cells,upset_cells,accuracy,drop_points,harmful,tested,"
      "mismatches,max_logit_distance,flag,healed,accuracy_after_heal\n";
  for (const LifetimePoint& p : r.timeline) {
    out += fmt::format("{:.6g},{:.0f},{},{},{:.6g},{:.6g},{},{},{},{:.6g},{},{},{}\n", p.hours,
                       std::floor(p.inferences), p.defective_cells, p.upset_cells, p.accuracy,
                       p.drop_points, int(p.harmful), int(p.tested),
                       p.tested ? fmt::format("{}", p.verdict.mismatches) : "",
                       p.verdict.max_logit_distance, int(p.verdict.fault_detected), int(p.healed),
                       p.healed ? fmt::format("{:.6g}", p.accuracy_after_heal) : "");
  }
  return out;
}

}  // namespace safsim
