// The SelfTestController on the cycle engine (docs/lifetime.md): when a test runs, what it costs
// in cycles (docs/timing.md arithmetic), and the cycle its flag rises under each criterion.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/engines/cycle_engine.h"
#include "sim/engines/functional_engine.h"
#include "sim/selection/selftest_setup.h"
#include "tests/support/cycle_test_util.h"
#include "tests/support/files.h"

using namespace safsim;

namespace {

// A 3x3 conv 1x6x6 -> 3x4x4, flatten, linear 48 -> 10 on a 4x4 array, serial, ideal memory
// (docs/timing.md): conv 3 folds x (2*4 + 4 + 16 - 2) = 78 + post-processing ceil(16*3/16) + 4
// = 7 -> 85 (the worked example); flatten 0; linear 12 x 3 folds x (2*4 + 4 + 1 - 2) = 396 +
// the last tile's post-processing ceil(1*2/16) + 4 = 5 -> 401. Every image: 486 cycles.
constexpr uint64_t kCyclesPerImage = 85 + 401;

struct Setup {
  QuantModel qm;
  DeployedWeights clean;
  Dataset pool = test::random_images({1, 6, 6}, 40, 3);  // test images are picked from here
  Dataset workload = test::random_images({1, 6, 6}, 12, 4);
  TestSet set;
  Dataset test_images;
  std::vector<int> changed, unchanged;  // pool images whose top-1 the fault changes, or not

  Setup() {
    test::ModelBuilder b({1, 6, 6}, 3);
    b.conv(b.flatten(b.conv(-1, 3, 3, 1, 0)), 10, 1, 1, 0, true);
    qm = test::quantized(b.build(), 8);
    clean = deploy_fault_free(qm);
  }
  /// Loads the test set of these pool images, made as `safsim select` makes one, through the
  /// testset.json file.
  void select(const std::vector<int>& indices) {
    const std::string path =
        (std::filesystem::temp_directory_path() / "safsim_stc_testset.json").string();
    write_test_set(indexed_test_set(qm, clean, pool, indices), path);
    set = read_test_set(path);
    test_images = test_set_images(set, pool, path);
  }
  /// The test images' outputs on `weights` (the functional engine is bit-exact with the cycle
  /// engine), and judge_self_test's verdict on the first `n` of them.
  Logits outputs(const DeployedWeights& weights) const {
    return FunctionalEngine(qm, weights, 1).run(test_images);
  }
  SelfTestVerdict verdict(const Logits& out, int n, const SelfTestCriterion& c) const {
    TestSet head = set;
    head.images.resize(size_t(n));
    Logits l = out;
    l.images = n;
    l.codes.resize(size_t(n) * out.classes);
    return judge_self_test(head, l, c);
  }
  /// Stored-bit flips (MSB first), each kept when it changes the top-1 of more pool images while
  /// at least `n_unchanged` keep theirs, until `n_changed` changed; fills changed/unchanged.
  DeployedWeights fault(size_t n_changed, size_t n_unchanged) {
    const Logits before = FunctionalEngine(qm, clean, 1).run(pool);
    DeployedWeights w = clean;
    size_t best = 0;
    for (int bit = 7; bit >= 0; --bit) {
      for (size_t l = 0; l < clean.stored.size(); ++l) {
        for (size_t k = 0; k < clean.stored[l].size(); ++k) {
          DeployedWeights trial = w;
          trial.stored[l][k] ^= 1u << bit;
          const Logits after = FunctionalEngine(qm, trial, 1).run(pool);
          std::vector<int> c, u;
          for (int i = 0; i < pool.count; ++i) {
            (after.top1(i) != before.top1(i) ? c : u).push_back(i);
          }
          if (c.size() > best && u.size() >= n_unchanged) {
            w = trial;
            best = c.size();
            changed = c;
            unchanged = u;
            if (best >= n_changed) {
              return w;
            }
          }
        }
      }
    }
    FAIL("no bit flips change " << n_changed << " top-1s and leave " << n_unchanged);
    return clean;
  }
};

SelfTestConfig every(uint64_t period, PeriodUnit unit, int k = 1, double threshold = 0.0) {
  SelfTestConfig c;
  c.enabled = true;
  c.period = period;
  c.period_unit = unit;
  c.min_mismatches = k;
  c.logit_threshold = threshold;
  return c;
}

}  // namespace

TEST_CASE("without faults the flag never rises and a test costs test images x cycles per image",
          "[cycle][selftest]") {
  Setup s;
  s.select({0, 5, 7});
  TraceConfig trace;
  trace.enabled = true;
  const std::string dir = (std::filesystem::temp_directory_path() / "safsim_stc_trace").string();
  CycleEngine engine(s.qm, s.clean, test::array_config(4, 4), trace, dir);
  engine.enable_self_test(s.set, s.test_images, every(4, PeriodUnit::kInferences));
  const CycleResult r = engine.run(s.workload.slice(0, 10));
  const SelfTestController& stc = *engine.self_test();
  // A test after inferences 4 and 8 (10 images: the third would be due after 12).
  REQUIRE(stc.tests().size() == 2);
  REQUIRE_FALSE(stc.flag());
  /* 4 workload images x 486; a test of 3 x 486; 4 more images; the second test */
  REQUIRE(stc.tests()[0].start_cycle == 4 * kCyclesPerImage);
  REQUIRE(stc.tests()[0].end_cycle == 4 * kCyclesPerImage + 3 * kCyclesPerImage);
  REQUIRE(stc.tests()[1].start_cycle == 11 * kCyclesPerImage);
  REQUIRE(stc.tests()[1].end_cycle == 14 * kCyclesPerImage);
  for (const SelfTestRecord& t : stc.tests()) {
    REQUIRE(t.complete);
    REQUIRE(t.verdict.mismatches == 0);
    REQUIRE(t.verdict.max_logit_distance == 0.0);
  }
  /* overhead per period = 3 test images x 486 cycles; 2 tests, of (10 + 6) x 486 in all */
  REQUIRE(stc.test_cycles() == 2 * 3 * kCyclesPerImage);
  REQUIRE(r.stats.total.cycles == 16 * kCyclesPerImage);
  REQUIRE(r.stats.images == 16);
  // The workload's results are untouched by the tests run in between.
  const Logits expected = FunctionalEngine(s.qm, s.clean, 1).run(s.workload.slice(0, 10));
  REQUIRE(r.logits.codes == expected.codes);
  // Buffer: 3 images x 36 pixels x 8 bits + 3 x 10 logits x 8 bits.
  REQUIRE(stc.buffer().bytes() == 3 * 36 + 3 * 10);
  const std::string vcd = safsim::test::read_all(engine.trace_path());
  for (const char* signal : {"test_mode", "test_image", "mismatches", "fault_detected"}) {
    INFO(signal);
    REQUIRE(vcd.find(std::string(" ") + signal + " ") != std::string::npos);
  }
  // test_mode rises in the trace: "$var wire 1 <id> test_mode $end", then a "1<id>" change.
  std::istringstream lines(vcd);
  std::string line, id;
  int rises = 0;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string w0, w1, w2, w3, w4;
    words >> w0 >> w1 >> w2 >> w3 >> w4;
    if (w0 == "$var" && w4 == "test_mode") {
      id = w3;
    }
    rises += !id.empty() && line == "1" + id;
  }
  REQUIRE(rises == 2);  // one per test
}

TEST_CASE("a fault that changes a test image's top-1 raises the flag when that result is compared",
          "[cycle][selftest]") {
  Setup s;
  const DeployedWeights faulty = s.fault(1, 3);
  s.select({s.unchanged[0], s.unchanged[1], s.changed[0], s.unchanged[2]});
  CycleEngine engine(s.qm, faulty, test::array_config(4, 4), TraceConfig{}, "");
  engine.enable_self_test(s.set, s.test_images, every(2, PeriodUnit::kInferences));
  engine.run(s.workload.slice(0, 4));
  const SelfTestController& stc = *engine.self_test();
  REQUIRE(stc.tests().size() == 2);
  /* test 0 starts after 2 images; image 2 of the test is compared when it ends: 2 + 3 images */
  REQUIRE(stc.flag());
  REQUIRE(stc.fault_detected_cycle() == 2 * kCyclesPerImage + 3 * kCyclesPerImage);
  REQUIRE(stc.tests()[0].detected_after_images == 3);
  // The whole-test verdict is judge_self_test's on the four results.
  const SelfTestVerdict v = s.verdict(s.outputs(faulty), 4, {1, 0.0});
  for (const SelfTestRecord& t : stc.tests()) {
    REQUIRE(t.verdict.fault_detected);
    REQUIRE(t.verdict.mismatches == v.mismatches);
    REQUIRE(t.verdict.max_logit_distance == v.max_logit_distance);
  }
}

TEST_CASE("with k > 1 the flag rises at the k-th mismatching test image", "[cycle][selftest]") {
  Setup s;
  const DeployedWeights faulty = s.fault(2, 2);
  s.select({s.changed[0], s.unchanged[0], s.unchanged[1], s.changed[1]});
  const Logits out = s.outputs(faulty);
  // The second mismatching image, counted as the controller counts: judge_self_test with k = 2.
  int second = 0;
  while (!s.verdict(out, second + 1, {2, 0.0}).fault_detected) {
    ++second;
  }
  CycleEngine engine(s.qm, faulty, test::array_config(4, 4), TraceConfig{}, "");
  engine.enable_self_test(s.set, s.test_images, every(1, PeriodUnit::kInferences, 2));
  engine.run(s.workload.slice(0, 1));
  const SelfTestController& stc = *engine.self_test();
  REQUIRE(stc.flag());
  /* the test starts after 1 image; image `second` is compared (second + 1) images later */
  REQUIRE(stc.fault_detected_cycle() == kCyclesPerImage * (1 + uint64_t(second) + 1));
  REQUIRE(stc.tests()[0].detected_after_images == second + 1);
}

TEST_CASE("k above the mismatching images never flags", "[cycle][selftest]") {
  Setup s;
  const DeployedWeights faulty = s.fault(2, 2);
  s.select({s.changed[0], s.unchanged[0], s.changed[1], s.unchanged[1]});
  const int mismatches = s.verdict(s.outputs(faulty), 4, {1, 0.0}).mismatches;
  REQUIRE(mismatches == 2);
  CycleEngine engine(s.qm, faulty, test::array_config(4, 4), TraceConfig{}, "");
  engine.enable_self_test(s.set, s.test_images, every(1, PeriodUnit::kInferences, mismatches + 1));
  engine.run(s.workload.slice(0, 2));
  REQUIRE(engine.self_test()->tests().size() == 2);
  REQUIRE(engine.self_test()->tests()[0].verdict.mismatches == mismatches);
  REQUIRE_FALSE(engine.self_test()->flag());
}

TEST_CASE("a logit threshold flags the first image whose logits move further than it",
          "[cycle][selftest]") {
  Setup s;
  const DeployedWeights faulty = s.fault(1, 2);
  s.select({s.unchanged[0], s.unchanged[1], s.changed[0]});
  const Logits out = s.outputs(faulty);
  const double threshold = s.verdict(out, 3, {1, 0.0}).max_logit_distance * 0.5;
  REQUIRE(threshold > 0.0);
  const SelfTestCriterion by_distance{1000000, threshold};  // top-1 alone never flags
  int first = 0;
  while (!s.verdict(out, first + 1, by_distance).fault_detected) {
    ++first;
  }
  CycleEngine engine(s.qm, faulty, test::array_config(4, 4), TraceConfig{}, "");
  engine.enable_self_test(s.set, s.test_images,
                          every(1, PeriodUnit::kInferences, 1000000, threshold));
  engine.run(s.workload.slice(0, 1));
  const SelfTestController& stc = *engine.self_test();
  REQUIRE(stc.flag());
  REQUIRE(stc.tests()[0].verdict.mismatches < 1000000);
  REQUIRE(stc.fault_detected_cycle() == kCyclesPerImage * (1 + uint64_t(first) + 1));
}

TEST_CASE("a period in cycles starts a test at the first image boundary at or after each multiple",
          "[cycle][selftest]") {
  Setup s;
  s.select({0, 1, 2});
  CycleEngine engine(s.qm, s.clean, test::array_config(4, 4), TraceConfig{}, "");
  engine.enable_self_test(s.set, s.test_images, every(2900, PeriodUnit::kCycles));
  engine.run(s.workload.slice(0, 12));
  const std::vector<SelfTestRecord>& t = engine.self_test()->tests();
  /* images of 486, tests of 3 x 486 = 1458. Due 2900: first boundary 6 x 486 = 2916, test
     [2916, 4374); due 5800: boundary 4374 + 3 x 486 = 5832, test [5832, 7290); due 8700:
     boundary 7290 + 3 x 486 = 8748 (after the 12th and last image), test [8748, 10206) */
  REQUIRE(t.size() == 3);
  REQUIRE(t[0].start_cycle == 2916);
  REQUIRE(t[1].start_cycle == 5832);
  REQUIRE(t[2].start_cycle == 8748);
  REQUIRE(t[2].end_cycle == 10206);
  REQUIRE(engine.self_test()->test_cycles() == 3 * 3 * kCyclesPerImage);
}
