// Sweep-file text -> SweepSpec -> SweepPlan, as `safsim sweep FILE --dry-run` reads it: the
// spec's keys, axes and metrics, then (for at most 1,000 points, so one input stays quick) the
// plan, which resolves every point's Config. sweep.resolved.yaml must plan to the same plan.
// The file sits in scratch/sweeps/ beside a copy of configs/default.yaml one level up, so the
// repository's sweeps find their `base: ../default.yaml`.
#include <fstream>
#include <sstream>
#include <string>

#include "sim/sweep/plan.h"
#include "sim/sweep/spec.h"
#include "tests/fuzz/libfuzzer/fuzz_support.h"

namespace {

constexpr double kMaxPlannedPoints = 1000;

void write_base_config() {
  static const bool written = [] {
    std::ifstream in(SAFSIM_SOURCE_DIR "/configs/default.yaml");
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    safsim::fuzz::fresh_scratch_dir("sweeps");
    safsim::fuzz::write_scratch("default.yaml", reinterpret_cast<const uint8_t*>(s.data()),
                                s.size());
    return true;
  }();
  (void)written;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  write_base_config();
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string path = safsim::fuzz::scratch_dir() + "/sweeps/s.yaml";
  safsim::fuzz::expect_clean([&] {
    const safsim::SweepSpec spec = safsim::parse_sweep(text, path);
    double points = 1;
    for (const safsim::SweepAxis& a : spec.axes) {
      points *= static_cast<double>(a.choices.size());
    }
    if (points <= kMaxPlannedPoints) {
      const safsim::SweepPlan plan = safsim::plan_sweep(spec);
      const std::string resolved = plan.resolved_yaml();
      try {
        const safsim::SweepPlan again = safsim::plan_sweep(safsim::parse_sweep(resolved, path));
        safsim::fuzz::require(again.resolved_yaml() == resolved,
                              "sweep.resolved.yaml plans to another sweep");
      } catch (const safsim::UserError& e) {
        safsim::fuzz::require(false, (std::string("sweep.resolved.yaml does not plan again: ") +
                                      e.what() + "\n" + resolved)
                                         .c_str());
      }
    }
  });
  return 0;
}
