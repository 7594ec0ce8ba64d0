// PE arithmetic: exact MACs, and wrapping the accumulator where psums leave the array equals
// wrapping after every MAC (the functional engine wraps once, at the end).
#include <catch2/catch.hpp>
#include <random>

#include "hw_models/pe.h"

using namespace safsim;

TEST_CASE("pe_mac is exact for 16-bit operands", "[pe]") {
  REQUIRE(pe_mac(0, -32768, 65535) == -2147450880LL);
  REQUIRE(pe_mac(5, 32767, -32767) == 5 - 1073676289LL);
}

TEST_CASE("wrapping psums per fold equals wrapping the whole dot product", "[pe]") {
  std::mt19937 rng(1);
  std::uniform_int_distribution<int32_t> w(-32767, 32767), x(0, 65535);
  for (int bits : {16, 24, 32}) {
    int64_t exact = 0;
    int64_t acc = 0;
    for (int fold = 0; fold < 50; ++fold) {
      int64_t psum = 0;  // one column's partial sum down 64 PE rows
      for (int r = 0; r < 64; ++r) {
        const int32_t a = w(rng), b = x(rng);
        psum = pe_mac(psum, a, b);
        exact += int64_t{a} * b;
      }
      acc = accumulate_psum(acc, psum, fold == 0, bits);
    }
    INFO("accumulator bits " << bits);
    REQUIRE(acc == wrap_accumulator(exact, bits));
  }
}
