// Test-image selection (000 §III): each score on hand-made outputs, Algorithm 1 on small
// matrices with ties, and every strategy end to end on a small random workload.
#include <catch2/catch.hpp>
#include <cmath>
#include <set>

#include "base/errors.h"
#include "memory/deployed_weights.h"
#include "sim/quantization/quantize.h"
#include "sim/selection/cover.h"
#include "sim/selection/scores.h"
#include "sim/selection/selection.h"
#include "sim/sweep/detection.h"
#include "sim/sweep/report.h"
#include "tests/support/random_model.h"

using namespace safsim;

TEST_CASE("score_corner is the gap between the two largest softmax outputs (Eq. 1 of 000)",
          "[selection]") {
  const double sum = std::exp(2.0) + std::exp(1.0) + 1.0;
  CHECK(corner_score({0.0, 2.0, 1.0}) == Approx((std::exp(2.0) - std::exp(1.0)) / sum));
  CHECK(corner_score({5.0, 5.0, -3.0}) == Approx(0.0));
  CHECK_THROWS(corner_score({1.0}));
}

TEST_CASE("score_prob_distrib ignores negative outputs (Eq. 5 of 000)", "[selection]") {
  CHECK(prob_distrib_score({3.0, 1.0, -2.0}) == Approx(0.25));
  CHECK(prob_distrib_score({4.0, -1.0}) == Approx(0.0));
  CHECK(prob_distrib_score({-4.0, -1.0}) == 1.0);  // no positive evidence: flattest
}

TEST_CASE("expected single-flip deviation is (-2w - 1)/Q for two's complement (Eq. 2 of 000)",
          "[selection]") {
  const WordFormat f{WeightFormat::kTwosComplement, 8};
  for (uint32_t word = 0; word < 256; ++word) {
    const int w = f.to_int(word);
    INFO("word " << word);
    CHECK(expected_flip_deviation(f, word) == Approx((-2.0 * w - 1.0) / 8.0));
  }
  // Offset binary: flipping bit k moves the word by +-2^k, so the sum is 2^Q - 1 - 2 * word.
  const WordFormat ob{WeightFormat::kOffsetBinary, 8};
  CHECK(expected_flip_deviation(ob, ob.to_word(0)) == Approx((255.0 - 2 * 127) / 8.0));
  CHECK_THROWS(expected_flip_deviation(WordFormat{WeightFormat::kFp32, 32}, 0));
}

TEST_CASE("score_grad sums ReLU(A * B) over weights and score_corner_grad divides by 1 + corner",
          "[selection]") {
  CHECK(grad_score({1.0f, -2.0f, 3.0f}, {2.0f, 1.0f, -1.0f}) == Approx(2.0));
  CHECK(grad_score({-1.0f, -2.0f}, {-2.0f, -1.0f}) == Approx(4.0));
  CHECK(corner_grad_score(4.0, 1.0) == Approx(2.0));
  CHECK_THROWS(grad_score({1.0f}, {}));
}

TEST_CASE("Algorithm 1 takes the unique rows first, then the greedy max cover", "[selection]") {
  // Column 3 is activated only by row 2: row 2 first; it covers columns 2 and 3, row 0 covers
  // the other two.
  CHECK(greedy_cover({{1, 1, 0, 0}, {0, 1, 1, 0}, {0, 0, 1, 1}, {1, 0, 0, 0}}, {0, 0, 0, 0}) ==
        std::vector<int>{2, 0});
  // No unique rows; every row covers two columns: score_activation breaks the tie (row 1),
  // then rows 0 and 2 each add column 0 and the higher score (row 2) wins.
  CHECK(greedy_cover({{1, 1, 0}, {0, 1, 1}, {1, 0, 1}}, {1.0, 3.0, 2.0}) == std::vector<int>{1, 2});
  // Equal scores: the lower row.
  CHECK(greedy_cover({{1, 1, 0}, {0, 1, 1}, {1, 0, 1}}, {0.0, 0.0, 0.0}) == std::vector<int>{0, 1});
  // A neuron no image activates is not coverable and is ignored.
  CHECK(greedy_cover({{1, 0}, {1, 0}}, {0.0, 1.0}) == std::vector<int>{1});
  // Two unique rows, in row order, and nothing more is needed.
  CHECK(greedy_cover({{0, 1}, {1, 1}, {1, 0}}, {9.0, 9.0, 0.0}) == std::vector<int>{1});
  CHECK(greedy_cover({{0, 1, 0}, {1, 0, 0}, {0, 0, 1}}, {0.0, 0.0, 0.0}) ==
        std::vector<int>{0, 1, 2});
}

TEST_CASE("neuron coverage: a channel is active when its positive outputs sum above zero (Eq. 6)",
          "[selection]") {
  QuantModel qm;
  QLayer relu;
  relu.kind = QOpKind::kArray;
  relu.activation = Activation::kRelu;
  relu.out_channels = 2;
  relu.out_shape = {2, 1, 2};
  QLayer pool;
  pool.kind = QOpKind::kMaxPool;
  pool.out_shape = {2, 1, 1};
  QLayer sig;
  sig.kind = QOpKind::kArray;
  sig.activation = Activation::kLut;
  sig.unary.fn = UnaryFn::kSigmoid;
  sig.out_channels = 2;
  sig.out_shape = {2, 1, 1};
  qm.layers = {relu, pool, sig};
  const NeuronCoverage nc =
      neuron_coverage(qm, {{0.0f, 0.0f, 0.5f, 0.25f}, {0.0f, 0.5f}, {0.25f, 0.75f}});
  CHECK(nc.active == std::vector<uint8_t>{0, 1, 0, 1});
  CHECK(nc.score == Approx(0.75 + 0.25));  // Eq. 7; Sigmoid outputs centred at 1/2
}

TEST_CASE("top_by_score sorts by score and breaks ties by the lower row", "[selection]") {
  const auto top = top_by_score({0.5, 0.9, 0.5, 0.1}, 3, false);
  REQUIRE(top.size() == 3);
  CHECK(top[0].first == 1);
  CHECK(top[1].first == 0);
  CHECK(top[2].first == 2);
  CHECK(top_by_score({0.5, 0.9, 0.5, 0.1}, 2, true)[1].first == 0);
}

namespace {

Workload small_workload(WeightFormat f = WeightFormat::kTwosComplement) {
  Workload w;
  w.model = test::conv_pool_model(31);
  QuantConfig qc;
  qc.weight_format = f;
  w.qmodel = quantize(w.model, qc, test::random_images(w.model.input_shape, 50, 1));
  w.images = test::random_images(w.model.input_shape, 120, 2);
  w.images.first_index = 1000;
  w.weights = deploy_fault_free(w.qmodel);
  return w;
}

}  // namespace

TEST_CASE("every strategy picks distinct candidates with golden results, whatever the threads",
          "[selection]") {
  const Workload w = small_workload();
  for (const auto& [name, strategy] : selection_strategies()) {
    INFO("strategy " << name);
    SelectionOptions o;
    o.strategy = strategy;
    o.count = strategy == SelectionStrategy::kCoverage ? 0 : 7;
    o.sensitivity_maps = 4;
    Config c1;
    c1.threads = 1;
    Config c2 = c1;
    c2.threads = 2;
    ImageScorer s1(c1, w), s2(c2, w);
    TestSet a = select_test_set(s1, o);
    TestSet b = select_test_set(s2, o);
    a.selection_seconds = b.selection_seconds = 0.0;
    a.config = b.config = {};
    CHECK(to_json(a) == to_json(b));
    CHECK(a.strategy == name);
    REQUIRE(!a.images.empty());
    if (strategy != SelectionStrategy::kCoverage) {
      CHECK(a.images.size() == 7);
    }
    std::set<int> seen;
    const Logits& golden = s1.golden();
    for (const TestImage& im : a.images) {
      CHECK(seen.insert(im.index).second);
      REQUIRE(im.index >= 1000);
      REQUIRE(im.index < 1120);
      const TestImage g = golden_image(golden, im.index - 1000);
      CHECK(im.golden_codes == g.golden_codes);
      CHECK(im.golden_top1 == g.golden_top1);
    }
    // The golden set judges the fault-free outputs as fault-free.
    Logits rows;
    rows.images = int(a.images.size());
    rows.classes = golden.classes;
    rows.scale = golden.scale;
    for (const TestImage& im : a.images) {
      rows.codes.insert(rows.codes.end(), im.golden_codes.begin(), im.golden_codes.end());
    }
    CHECK_FALSE(judge_self_test(a, rows, SelfTestCriterion{}).fault_detected);
  }
}

TEST_CASE("corner picks the smallest gaps, prob_distrib the flattest outputs", "[selection]") {
  const Workload w = small_workload();
  Config c;
  c.threads = 1;
  ImageScorer s(c, w);
  SelectionOptions o;
  o.count = 5;
  o.strategy = SelectionStrategy::kCorner;
  const TestSet t = select_test_set(s, o);
  double worst_picked = 0.0;
  for (const TestImage& im : t.images) {
    worst_picked = std::max(worst_picked, im.score);
  }
  int smaller = 0;
  for (double v : s.corner()) {
    smaller += v < worst_picked;
  }
  CHECK(smaller <= 4);
  o.strategy = SelectionStrategy::kProbDistrib;
  const TestSet p = select_test_set(s, o);
  CHECK(p.images[0].score >= p.images[4].score);
}

TEST_CASE("selection errors: unknown strategy, count out of range, grad on float weights",
          "[selection]") {
  CHECK_THROWS_WITH(parse_selection_strategy("corner_grd", "--strategy"),
                    Catch::Contains("did you mean 'corner_grad'"));
  CHECK_THROWS_AS(parse_selection_strategy("best", "--strategy"), UserError);
  const Workload w = small_workload();
  Config c;
  c.threads = 1;
  ImageScorer s(c, w);
  SelectionOptions o;
  o.count = 121;
  CHECK_THROWS_WITH(select_test_set(s, o), Catch::Contains("count must be in [1, 120]"));
  o.count = 0;
  CHECK_THROWS_AS(select_test_set(s, o), UserError);
  const Workload wf = small_workload(WeightFormat::kFp32);
  ImageScorer sf(c, wf);
  o.count = 3;
  o.strategy = SelectionStrategy::kGrad;
  CHECK_THROWS_WITH(select_test_set(sf, o), Catch::Contains("integer weights"));
}

TEST_CASE("Wilson interval of a detection share", "[selection]") {
  const Proportion p = wilson_interval(18, 20);
  CHECK(p.value == Approx(0.9));
  CHECK(p.lo == Approx(0.6990).margin(1e-4));
  CHECK(p.hi == Approx(0.9721).margin(1e-4));
  const Proportion all = wilson_interval(20, 20);
  CHECK(all.hi == 1.0);
  CHECK(all.lo == Approx(0.8389).margin(1e-4));
  CHECK(std::isnan(wilson_interval(0, 0).value));
}

TEST_CASE("selftest section of a sweep file: defaults, coverage count, errors", "[selection]") {
  const SweepSelfTest s =
      parse_sweep_selftest(YAML::Load("{strategies: [corner, coverage], count: 7}"), "s.yaml");
  CHECK(s.enabled);
  CHECK(s.harm_threshold_points == 1.0);
  CHECK(s.criterion.min_mismatches == 1);
  CHECK(s.options_for(SelectionStrategy::kCorner).count == 7);
  CHECK(s.options_for(SelectionStrategy::kCoverage).count == 0);
  CHECK(selftest_columns(s) ==
        std::vector<std::string>{"harmful", "detected_corner", "detected_coverage"});
  CHECK_THROWS_WITH(parse_sweep_selftest(YAML::Load("{strategies: [corner, corner]}"), "s.yaml"),
                    Catch::Contains("listed twice"));
  CHECK_THROWS_WITH(parse_sweep_selftest(YAML::Load("{count: 3}"), "s.yaml"),
                    Catch::Contains("needs 'strategies:'"));
  CHECK_THROWS_WITH(parse_sweep_selftest(
                        YAML::Load("{strategies: [grad], criterion: {min_mismatch: 2}}"), "s.yaml"),
                    Catch::Contains("did you mean 'min_mismatches'"));
}
