// The lifetime model's fault processes (docs/lifetime.md): the defect rate laws and the keyed
// Poisson arrivals.
#include <catch2/catch.hpp>
#include <cmath>

#include "memory/encoders/encoder.h"
#include "sim/lifetime/lifetime.h"
#include "sim/lifetime/lifetime_memory.h"
#include "sim/quantization/quantize.h"
#include "tests/support/random_model.h"

using namespace safsim;

TEST_CASE("each defect rate law's cumulative intensity inverts exactly", "[lifetime]") {
  LifetimeConfig l;
  l.defect_rate_per_bit_hour = 3e-6;
  l.defect_t0_hours = 500;
  l.defect_beta = 2;
  for (DefectGrowth g :
       {DefectGrowth::kConstant, DefectGrowth::kPower, DefectGrowth::kExponential}) {
    l.defect_growth = g;
    for (double t : {1.0, 250.0, 500.0, 2000.0}) {
      REQUIRE(defect_cumulative_inverse(l, defect_cumulative(l, t)) == Approx(t).epsilon(1e-12));
    }
  }
  // power, beta = 2: H(t) = r0 t0 / 3 (t / t0)^3; at t = 2 t0: r0 t0 * 8 / 3
  l.defect_growth = DefectGrowth::kPower;
  REQUIRE(defect_cumulative(l, 1000) == Approx(3e-6 * 500 * 8 / 3.0));
  // exponential: H(t) = r0 t0 (e^(t/t0) - 1)
  l.defect_growth = DefectGrowth::kExponential;
  REQUIRE(defect_cumulative(l, 500) == Approx(3e-6 * 500 * (std::exp(1.0) - 1)));
}

TEST_CASE("Poisson arrivals come at cells x H(t) on average and repeat for a seed", "[lifetime]") {
  const double rate = 2e-3;  // per cell per hour
  const int64_t cells = 10000;
  const auto inverse = [rate](double h) { return h / rate; };
  PoissonArrivals a(RandomStream(7, 0, "lifetime_flips"), cells, 0.8, inverse);
  PoissonArrivals b(RandomStream(7, 0, "lifetime_flips"), cells, 0.8, inverse);
  PoissonArrivals::Event e, f;
  int64_t ones = 0;
  double last = 0;
  while (a.next_until(100.0, &e)) {
    REQUIRE(b.next_until(100.0, &f));
    REQUIRE(e.hours == f.hours);
    REQUIRE(e.cell == f.cell);
    REQUIRE(e.hours >= last);
    REQUIRE(e.cell < cells);
    last = e.hours;
    ones += e.value;
  }
  // Expected 10000 x 2e-3 x 100 = 2000 arrivals, standard deviation ~45: within 5 sigma.
  const double n = double(a.arrivals());
  REQUIRE(std::abs(n - 2000.0) < 5 * std::sqrt(2000.0));
  REQUIRE(std::abs(double(ones) / n - 0.8) < 0.05);
  REQUIRE_FALSE(b.next_until(100.0, &f));
}

namespace {

// A small classifier with random weights, its evaluation images and a 4-image test set.
struct Lifetime {
  QuantModel qm;
  Dataset eval = test::random_images({1, 8, 8}, 60, 21);
  SelfTestProgram program;
  Config c;

  explicit Lifetime(MitigationScheme scheme) {
    test::ModelBuilder b({1, 8, 8}, 5);
    int x = b.act(b.conv(-1, 4, 3, 1, 0), LayerKind::kRelu);
    b.conv(b.flatten(x), 10, 1, 1, 0, true);
    qm = quantize(b.build(), QuantConfig{}, test::random_images({1, 8, 8}, 40, 6));
    c.mitigation.scheme = scheme;
    const Dataset pool = test::random_images({1, 8, 8}, 10, 22);
    program.set = indexed_test_set(qm, fault_free_deployment(qm, c), pool, {0, 1, 2, 3});
    program.images = test_set_images(program.set, pool, "pool");
    c.selftest.period = 100;
    c.selftest.lifetime.hours = 40;
    c.selftest.lifetime.inferences_per_hour = 100;
    c.selftest.lifetime.evals_per_period = 2;
  }
  LifetimeResult run(int threads) const {
    return run_lifetime(c, qm, eval, program, /*cycles_per_image=*/1000, threads);
  }
};

}  // namespace

TEST_CASE("healing after upsets alone restores the fault-free accuracy exactly", "[lifetime]") {
  Lifetime l(MitigationScheme::kNone);
  l.c.selftest.lifetime.flip_rate_per_bit_hour = 2e-3;
  l.c.selftest.lifetime.heal = true;
  const LifetimeResult r = l.run(1);
  REQUIRE(r.timeline.size() == 80);  // 40 h, a test every hour, 2 evaluations each
  int heals = 0;
  for (const LifetimePoint& p : r.timeline) {
    REQUIRE(p.defective_cells == 0);
    REQUIRE(p.healed == (p.tested && p.verdict.fault_detected));
    if (p.healed) {
      ++heals;
      REQUIRE(p.accuracy_after_heal == r.fault_free_accuracy);  // the rewrite cleared them
    }
  }
  REQUIRE(heals > 0);
  REQUIRE(r.summary["heals"] == heals);
  // Overhead: 40 tests x 4 images x 1000 cycles of 40 x 4 + 4000 x 1000.
  REQUIRE(r.summary["overhead"]["test_cycle_share"].get<double>() ==
          Approx(160.0 / (160.0 + 4000.0)));
}

TEST_CASE("a lifetime timeline does not depend on the thread count", "[lifetime]") {
  Lifetime l(MitigationScheme::kC1);
  l.c.selftest.lifetime.flip_rate_per_bit_hour = 1e-3;
  l.c.selftest.lifetime.defect_rate_per_bit_hour = 1e-3;
  l.c.selftest.lifetime.heal = true;
  const LifetimeResult a = l.run(1), b = l.run(3);
  REQUIRE(lifetime_csv(a) == lifetime_csv(b));
  REQUIRE(a.summary.dump() == b.summary.dump());
  REQUIRE(a.timeline.back().defective_cells > 0);
}

TEST_CASE("march and rewrite encodes every word knowing exactly the stuck cells", "[lifetime]") {
  Lifetime l(MitigationScheme::kC1);
  LifetimeMemory mem(l.qm, l.c.mitigation);
  const int bits = l.qm.weight_format.bits;
  DefectMap truth(geometry_for_words(mem.cells() / bits, bits, 1));
  RandomStream rng(3, 0, "test_defects");
  for (int i = 0; i < 200; ++i) {
    const auto cell = int64_t(rng.below(uint64_t(mem.cells())));
    const bool value = rng.bernoulli(0.8);
    mem.add_defect(cell, value);
    truth.add_stuck_cell(cell / bits, int(cell % bits), value);
    mem.upset(int64_t(rng.below(uint64_t(mem.cells()))));
  }
  REQUIRE(mem.defective_cells() == truth.defective_cells());
  const MarchResult march = mem.march_and_rewrite();
  REQUIRE(march.discovered.same_defects(truth));
  REQUIRE(mem.upset_cells() == 0);
  const DeployedWeights d = mem.deployed();
  int64_t a = 0;
  for (size_t layer = 0; layer < l.qm.layers.size(); ++layer) {
    const std::vector<uint32_t>& words = l.qm.layers[layer].weight_words;
    for (size_t i = 0; i < words.size(); ++i, ++a) {
      const uint32_t want = apply_stuck_bits(
          encode_word(MitigationScheme::kC1, l.qm.weight_format, words[i], truth.at(a)),
          truth.at(a));
      REQUIRE(d.stored[layer][i] == want);
    }
  }
}

TEST_CASE("a period in cycles becomes whole inferences of the measured cycles per image",
          "[lifetime]") {
  Lifetime l(MitigationScheme::kNone);
  l.c.selftest.period_unit = PeriodUnit::kCycles;
  l.c.selftest.period = 150500;  // ceil(150500 / 1000 cycles per image) = 151 inferences
  const LifetimeResult r = l.run(1);
  REQUIRE(r.period_inferences == 151);
  // 40 h x 100 inferences per hour = 4000 inferences: 26 tests of 151, 2 evaluations each.
  REQUIRE(r.summary["tests"] == 26);
  REQUIRE(r.timeline.size() == 52);
  REQUIRE(r.summary["flags"] == 0);  // no faults configured
  REQUIRE(r.summary["false_alarms"] == 0);
}
