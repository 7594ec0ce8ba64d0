// Counter-based random streams: random access, order independence, basic distribution checks.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "base/random_stream.h"

namespace safsim {

TEST_CASE("a stream's draws depend only on (seed, trial, purpose, index)", "[faults]") {
  RandomStream a(7, 3, "stuck_at_cells");
  RandomStream b(7, 3, "stuck_at_cells");
  for (uint64_t i = 0; i < 100; ++i) {
    const uint64_t x = a.next_u64();
    REQUIRE(x == b.u64_at(i));
    REQUIRE(x == RandomStream(7, 3, "stuck_at_cells").u64_at(i));
  }
  CHECK(RandomStream(7, 3, "a").u64_at(0) != RandomStream(7, 3, "b").u64_at(0));
  CHECK(RandomStream(7, 3, "a").u64_at(0) != RandomStream(7, 4, "a").u64_at(0));
  CHECK(RandomStream(7, 3, "a").u64_at(0) != RandomStream(8, 3, "a").u64_at(0));
  CHECK(RandomStream(3, 7, "a").u64_at(0) != RandomStream(7, 3, "a").u64_at(0));
}

TEST_CASE("trial streams are the same whatever order (or thread) draws them", "[faults]") {
  std::vector<uint64_t> forward(64), backward(64);
  for (uint64_t t = 0; t < 64; ++t) {
    RandomStream r(11, t, "weight_flips");
    r.next_u64();
    forward[t] = r.next_u64() ^ r.substream(5).next_u64();
  }
  for (uint64_t t = 64; t-- > 0;) {
    RandomStream r(11, t, "weight_flips");
    const RandomStream sub = r.substream(5);  // taking a substream does not move the parent
    r.next_u64();
    backward[t] = r.next_u64() ^ RandomStream(sub).next_u64();
  }
  CHECK(forward == backward);
}

TEST_CASE("uniform, below and geometric_gap have the right distributions", "[faults]") {
  RandomStream r(1, 0, "distribution_test");
  const int n = 200000;
  double sum = 0;
  std::vector<int> buckets(10, 0);
  for (int i = 0; i < n; ++i) {
    const double u = r.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    sum += u;
    ++buckets[size_t(r.below(10))];
  }
  CHECK(std::abs(sum / n - 0.5) < 5 * std::sqrt(1.0 / 12 / n));
  for (const int b : buckets) {
    CHECK(std::abs(b - n / 10.0) < 5 * std::sqrt(n * 0.1 * 0.9));
  }
  const double p = 0.01;
  double gaps = 0;
  const int m = 20000;
  for (int i = 0; i < m; ++i) {
    gaps += double(r.geometric_gap(p));
  }
  const double mean = (1 - p) / p;  // failures before a success
  const double sd = std::sqrt((1 - p) / (p * p));
  CHECK(std::abs(gaps / m - mean) < 5 * sd / std::sqrt(m));
  CHECK(r.geometric_gap(1.0) == 0);
}

}  // namespace safsim
