// run_on_threads: every worker runs, and a worker's exception reaches the caller after all joined.
#include <atomic>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <vector>

#include "base/parallel.h"

namespace safsim {

TEST_CASE("run_on_threads runs every worker once", "[parallel]") {
  std::vector<int> ran(4, 0);
  run_on_threads(4, [&](int w) { ++ran[size_t(w)]; });
  CHECK(ran == std::vector<int>{1, 1, 1, 1});
}

TEST_CASE("an exception in a worker is rethrown on the caller, not std::terminate", "[parallel]") {
  std::atomic<int> finished{0};
  const auto run = [&] {
    run_on_threads(3, [&](int w) {
      if (w == 2) {
        throw std::invalid_argument("label 12 out of range");
      }
      ++finished;
    });
  };
  REQUIRE_THROWS_WITH(run(), "label 12 out of range");
  CHECK(finished == 2);  // the other workers ran to the end and were joined
}

TEST_CASE("resolve_threads keeps a positive count and maps 0 to the machine's cores",
          "[parallel]") {
  CHECK(resolve_threads(3) == 3);
  CHECK(resolve_threads(0) == machine_cores());
  CHECK(machine_cores() >= 1);
}

}  // namespace safsim
