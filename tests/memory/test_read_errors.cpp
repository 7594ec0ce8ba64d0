// Read errors (faults.weights.read_errors, memory/read_errors.h): the rate of wrong cells is the
// configured ber, the errors of an image are a function of (seed, image, read) alone, self-test
// images have their own key space, and only the cycle engine accepts them.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "base/errors.h"
#include "memory/read_errors.h"
#include "sim/config.h"

using namespace safsim;

namespace {

ReadErrorConfig with_ber(double ber, uint64_t seed = 0) {
  ReadErrorConfig c;
  c.ber = ber;
  c.seed = seed;
  return c;
}

/// The masks of an image's first `reads` reads of `cells` cells each.
std::vector<uint32_t> masks(ReadErrors re, int64_t image, bool self_test, int reads, int cells) {
  re.begin_image(image, self_test);
  std::vector<uint32_t> out;
  for (int i = 0; i < reads; ++i) {
    out.push_back(re.sense(cells));
  }
  return out;
}

}  // namespace

TEST_CASE("read errors hit cells at the configured rate", "[faults][read_errors]") {
  for (const double ber : {1e-4, 1e-3, 1e-2}) {
    ReadErrors re(with_ber(ber), 11);
    uint64_t wrong = 0, cells = 0, outside = 0;
    for (int64_t image = 0; image < 40; ++image) {
      re.begin_image(image, false);
      for (int i = 0; i < 20000; ++i) {
        const int bits = 9 + i % 4;  // words of 9..12 cells
        const uint32_t m = re.sense(bits);
        outside += m >> bits;
        wrong += uint64_t(__builtin_popcount(m));
        cells += uint64_t(bits);
      }
      CHECK(re.position() == 5000 * (9 + 10 + 11 + 12));
    }
    CHECK(outside == 0);  // no wrong cell past the word's
    const double expected = ber * double(cells);
    INFO("ber " << ber << ": " << wrong << " wrong cells of " << cells);
    CHECK(std::abs(double(wrong) - expected) < 5 * std::sqrt(expected));
  }
}

TEST_CASE("ber 1 senses every cell wrong and ber 0 none", "[faults][read_errors]") {
  ReadErrors all(with_ber(1.0), 3);
  all.begin_image(5, false);
  CHECK(all.sense(13) == 0x1FFFu);
  CHECK(all.sense(32) == 0xFFFFFFFFu);
  CHECK(all.sense(1) == 1u);
  ReadErrors none;
  CHECK_FALSE(none.active());
  none.begin_image(5, false);
  CHECK(none.sense(32) == 0u);
}

TEST_CASE("read errors are keyed by seed and image and read but not by order",
          "[faults][read_errors]") {
  const ReadErrors re(with_ber(0.02), 7);
  const std::vector<uint32_t> image3 = masks(re, 3, false, 2000, 8);
  // The same image after other images, and from a copy: the same errors.
  ReadErrors other = re;
  other.begin_image(9, false);
  other.sense(8);
  CHECK(masks(other, 3, false, 2000, 8) == image3);
  // Another image, the self-test's image 3, another experiment seed: other errors.
  CHECK(masks(re, 4, false, 2000, 8) != image3);
  CHECK(masks(re, 3, true, 2000, 8) != image3);
  CHECK(masks(ReadErrors(with_ber(0.02), 8), 3, false, 2000, 8) != image3);
  // read_errors.seed 0 derives from the experiment seed; its own seed overrides it.
  CHECK(masks(ReadErrors(with_ber(0.02, 7), 99), 3, false, 2000, 8) == image3);
  // The cells form one stream: reading 16 cells at a time sees the same wrong cells.
  const std::vector<uint32_t> wide = masks(re, 3, false, 1000, 16);
  for (size_t i = 0; i < wide.size(); ++i) {
    CHECK(wide[i] == (image3[2 * i] | image3[2 * i + 1] << 8));
  }
}

TEST_CASE("faults.weights.read_errors keys are range-checked and need the cycle engine",
          "[faults][read_errors][config]") {
  const Config c =
      parse_config("faults:\n  weights:\n    read_errors: {ber: 0.001, seed: 5}\n", "x.yaml");
  CHECK(c.faults.weights.read_errors.ber == 0.001);
  CHECK(c.faults.weights.read_errors.seed == 5);
  REQUIRE_THROWS_WITH(parse_config("faults:\n  weights:\n    read_errors: {ber: 1.5}\n", "x.yaml"),
                      Catch::Contains("faults.weights.read_errors.ber must be in [0, 1], got 1.5"));
  REQUIRE_THROWS_AS(check_read_errors_engine(c, false, ""), ConfigError);
  REQUIRE_THROWS_WITH(check_read_errors_engine(c, false, ""),
                      Catch::StartsWith("faults.weights.read_errors.ber = 0.001 needs engine: "
                                        "cycle"));
  CHECK_NOTHROW(check_read_errors_engine(c, true, ""));
  CHECK_NOTHROW(check_read_errors_engine(Config(), false, ""));
}
