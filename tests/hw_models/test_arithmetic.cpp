// Word formats, requantization and rounding rules (hw_models/arithmetic.h,
// workloads/word_format.h).
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "hw_models/arithmetic.h"
#include "workloads/word_format.h"

using namespace safsim;

TEST_CASE("integer words round-trip every value for Q = 2..16", "[quant]") {
  for (WeightFormat f : {WeightFormat::kTwosComplement, WeightFormat::kOffsetBinary}) {
    for (int q = 2; q <= 16; ++q) {
      const WordFormat wf{f, q};
      for (int32_t v = wf.min_value(); v <= wf.max_value(); ++v) {
        const uint32_t w = wf.to_word(v);
        REQUIRE((w & ~wf.mask()) == 0u);
        REQUIRE(wf.to_int(w) == v);
      }
    }
  }
}

TEST_CASE("offset-binary zero is 0x7FFF at 16 bits, as 001 stores weights", "[quant]") {
  const WordFormat wf{WeightFormat::kOffsetBinary, 16};
  REQUIRE(wf.to_word(0) == 0x7FFFu);
  REQUIRE(wf.to_word(-32767) == 0u);
  REQUIRE(wf.to_int(0xFFFFu) == 32768);  // only a fault can store all ones
}

TEST_CASE("two's complement sign-extends words only faults produce", "[quant]") {
  const WordFormat wf{WeightFormat::kTwosComplement, 8};
  REQUIRE(wf.to_word(-3) == 0xFDu);
  REQUIRE(wf.to_int(0x80u) == -128);
  REQUIRE(wf.to_int(0x17Fu) == 127);  // bits above Q are ignored
}

TEST_CASE("fp16 and bf16 conversions round to nearest even", "[quant]") {
  const WordFormat h{WeightFormat::kFp16, 16};
  REQUIRE(h.from_float(1.0f) == 0x3C00u);
  REQUIRE(h.from_float(-2.5f) == 0xC100u);
  REQUIRE(h.from_float(65504.0f) == 0x7BFFu);
  REQUIRE(h.from_float(1e6f) == 0x7C00u);
  REQUIRE(h.to_float(0x0001u) == std::ldexp(1.0f, -24));  // smallest subnormal
  REQUIRE(h.to_float(h.from_float(0.1f)) == Approx(0.1f).epsilon(1e-3));
  const WordFormat b{WeightFormat::kBf16, 16};
  REQUIRE(b.from_float(1.0f) == 0x3F80u);
  REQUIRE(b.to_float(b.from_float(3.140625f)) == 3.140625f);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-4.0f, 4.0f);
  for (int i = 0; i < 10000; ++i) {
    const float v = u(rng);
    REQUIRE(h.to_float(h.from_float(v)) == Approx(v).epsilon(1.0 / 1024));
    REQUIRE(b.to_float(b.from_float(v)) == Approx(v).epsilon(1.0 / 128));
  }
}

TEST_CASE("accumulators wrap modulo 2^bits", "[quant]") {
  REQUIRE(wrap_accumulator(int64_t{1} << 31, 32) == INT32_MIN);
  REQUIRE(wrap_accumulator(-1, 16) == -1);
  REQUIRE(wrap_accumulator(40000, 16) == 40000 - 65536);
  REQUIRE(wrap_accumulator(123456, 32) == 123456);
}

TEST_CASE("requantization rounds half towards +infinity", "[quant]") {
  const Requant half = make_requant(0.5);
  REQUIRE(half.multiplier == (1 << 30));
  REQUIRE(requantize(3, half) == 2);    // 1.5 -> 2
  REQUIRE(requantize(-3, half) == -1);  // -1.5 -> -1
  REQUIRE(requantize(5, half) == 3);
  REQUIRE(requantize(-5, half) == -2);
  std::mt19937 rng(2);
  std::uniform_real_distribution<double> m(1e-6, 4.0);
  std::uniform_int_distribution<int32_t> x(-2000000, 2000000);
  for (int i = 0; i < 10000; ++i) {
    const double real = m(rng);
    const int32_t v = x(rng);
    const Requant rq = make_requant(real);
    REQUIRE(std::abs(double(requantize(v, rq)) - real * v) <= 0.5 + 1e-6 * std::abs(real * v));
  }
}

TEST_CASE("average pooling rounds half up with floor division", "[quant]") {
  REQUIRE(avg_pool_round(3, 2) == 2);    // 1.5
  REQUIRE(avg_pool_round(-3, 2) == -1);  // -1.5
  REQUIRE(avg_pool_round(5, 4) == 1);    // 1.25
  REQUIRE(avg_pool_round(-5, 4) == -1);  // -1.25
  REQUIRE(avg_pool_round(-7, 4) == -2);  // -1.75
  REQUIRE(avg_pool_round(0, 9) == 0);
}

TEST_CASE("an 8-bit input code is the raw pixel", "[quant]") {
  ActQuant in;
  in.bits = 8;
  in.is_unsigned = true;
  in.qmin = 0;
  in.qmax = 255;
  for (int p = 0; p < 256; ++p) {
    REQUIRE(quantize_pixel(uint8_t(p), in) == p);
  }
  in.bits = 4;
  in.qmax = 15;
  REQUIRE(quantize_pixel(255, in) == 15);
  REQUIRE(quantize_pixel(8, in) == 0);  // 8*15/255 = 0.47
  REQUIRE(quantize_pixel(9, in) == 1);  // 0.53
}
