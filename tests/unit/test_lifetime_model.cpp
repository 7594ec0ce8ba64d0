// The lifetime model's fault processes (docs/lifetime.md): the defect rate laws and the keyed
// Poisson arrivals.
#include <catch2/catch.hpp>
#include <cmath>

#include "sim/experiments/lifetime.h"

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
