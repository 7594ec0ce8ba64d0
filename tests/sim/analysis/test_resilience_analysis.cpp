// The resilience analyses of 002: the fault-free trace and the single-flip replay against the
// naive reference, LRP conservation (Eq. 2), criticality by hand (Eq. 5, 6, Fig. 5b), the
// failure-rate counter, sampling (Leveugle et al.) and thread-count independence.
#include <catch2/catch.hpp>
#include <numeric>

#include "base/errors.h"
#include "hw_models/activation_faults.h"
#include "memory/deployed_weights.h"
#include "sim/analysis/ber_failures.h"
#include "sim/analysis/criticality.h"
#include "sim/analysis/flip_replay.h"
#include "sim/analysis/neuron_failures.h"
#include "sim/analysis/relevance.h"
#include "sim/analysis/sample_size.h"
#include "sim/engines/reference.h"
#include "sim/quantization/quantize.h"
#include "tests/support/random_model.h"

using namespace safsim;

namespace {

QuantModel quantized(const Model& m, int bits) {
  QuantConfig qc;
  qc.weight_bits = bits;
  qc.activation_bits = bits;
  return quantize(m, qc, test::random_images(m.input_shape, 50, 7));
}

// Conv -> ReLU -> max pool -> conv -> ReLU -> global average pool -> flatten -> linear.
Model small_cnn(unsigned seed) {
  test::ModelBuilder b({1, 8, 8}, seed);
  int x = b.conv(-1, 3, 3, 1, 1);
  x = b.act(x, LayerKind::kRelu);
  x = b.pool(x, LayerKind::kMaxPool, 2, 2, 0);
  x = b.conv(x, 4, 3, 1, 1);
  x = b.act(x, LayerKind::kRelu);
  x = b.global_pool(x);
  x = b.flatten(x);
  b.conv(x, 3, 1, 1, 0, true);
  return b.build();
}

// Positive weights, no biases and no zero pixels: every z+ denominator is > 0, so LRP loses no
// relevance and the conservation sums are exact.
Model positive(Model m) {
  for (Layer& l : m.layers) {
    for (float& v : l.weight) {
      v = std::abs(v) + 0.05f;
    }
    std::fill(l.bias.begin(), l.bias.end(), 0.0f);
  }
  return m;
}

Dataset positive_images(const QuantModel& qm, int count) {
  Dataset d = test::random_images(qm.input_shape, count, 8);
  for (uint8_t& p : d.pixels) {
    p = static_cast<uint8_t>(std::max<int>(p, 20));
  }
  for (int32_t& l : d.labels) {
    l = static_cast<uint8_t>(l % qm.classes());
  }
  return d;
}

double sum_of(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

}  // namespace

TEST_CASE("the fault-free trace equals the reference on every layer", "[analysis]") {
  for (int bits : {8, 16}) {
    for (const Model& m : {test::odd_shapes_model(31), test::new_ops_model(32, false)}) {
      const QuantModel qm = quantized(m, bits);
      const DeployedWeights w = deploy_fault_free(qm);
      const DecodedModel dm(qm, w);
      const Dataset d = test::random_images(qm.input_shape, 5, 3);
      ImageTrace t;
      for (int i = 0; i < d.count; ++i) {
        trace_image(dm, d.image(i), t);
        const auto ref = reference_run(qm, w, d.image(i));
        for (size_t l = 0; l < ref.size(); ++l) {
          INFO("layer " << qm.layers[l].name);
          REQUIRE(t.codes[l] == ref[l]);
        }
        REQUIRE(t.top1 == top1_of(ref.back().data(), qm.classes()));
      }
    }
  }
}

TEST_CASE("replaying flips from the trace equals a full pass with the flips", "[analysis]") {
  // 16-bit codes take the int64 accumulator-delta path, 8-bit ones the int32 path.
  for (int bits : {8, 16}) {
    for (const Model& m : {test::odd_shapes_model(41), test::new_ops_model(42, false)}) {
      const QuantModel qm = quantized(m, bits);
      const DeployedWeights w = deploy_fault_free(qm);
      const DecodedModel dm(qm, w);
      const Dataset d = test::random_images(qm.input_shape, 12, 5);
      std::vector<BitFlipConfig> plans;
      for (size_t li = 0; li < qm.layers.size(); ++li) {
        if (qm.layers[li].kind == QOpKind::kFlatten) {
          continue;
        }
        BitFlipConfig one;  // one flip of the MSB of a random word of layer li per image
        one.mode = FaultKind::kTargetedFlips;
        one.count = 1;
        one.layer = std::to_string(li);
        one.bit = bits - 1;
        plans.push_back(one);
      }
      BitFlipConfig random;  // several flips in several layers at once
      random.mode = FaultKind::kRandomFlips;
      random.rate = 5e-3;
      plans.push_back(random);
      FlipReplay replay(dm);
      ImageTrace t;
      int64_t changed = 0;
      for (const BitFlipConfig& c : plans) {
        const ActivationFaultPlan plan(qm, c, 9, 2);
        for (int i = 0; i < d.count; ++i) {
          trace_image(dm, d.image(i), t);
          const auto ref = reference_run(qm, w, d.image(i), &plan, i);
          const int top1 = replay.top1_with_flips(t, plan.flips(i));
          if (!plan.flips(i).empty()) {
            REQUIRE(replay.last_logits(t) == ref.back());
            changed += ref.back() != t.codes.back() ? 1 : 0;
          }
          REQUIRE(top1 == top1_of(ref.back().data(), qm.classes()));
        }
      }
      REQUIRE(changed > 0);  // the flips did reach the logits
    }
  }
}

TEST_CASE("LRP conserves relevance layer by layer when no denominator is zero (Eq. 2)",
          "[analysis]") {
  const QuantModel qm = quantized(positive(small_cnn(5)), 8);
  const DecodedModel dm(qm, deploy_fault_free(qm));
  const Dataset d = positive_images(qm, 4);
  ImageTrace t;
  std::vector<std::vector<double>> r;
  for (int i = 0; i < d.count; ++i) {
    trace_image(dm, d.image(i), t);
    lrp_relevance(dm, t, d.labels[i], r);
    for (size_t l = 0; l < r.size(); ++l) {
      INFO("layer " << qm.layers[l].name);
      REQUIRE(sum_of(r[l]) == Approx(1.0).epsilon(1e-12));
    }
  }
  // Eq. 3 and 4: the mean keeps the sum, and the feature sums are the spatial sums.
  const MeanRelevance mr = mean_relevance(dm, d, 2);
  for (size_t l = 0; l < mr.feature.size(); ++l) {
    REQUIRE(std::accumulate(mr.feature[l].begin(), mr.feature[l].end(), 0.0) ==
            Approx(1.0).epsilon(1e-12));
  }
}

TEST_CASE("LRP conserves relevance across branches, concats, slices and gates", "[analysis][ops]") {
  // stem -> {depthwise conv, dilated grouped conv} -> concat -> squeeze-and-excitation gate ->
  // slice -> global pool -> linear. Every path from the logits to the image passes the stem, the
  // concat, the gate's product and the slice; the two branches together form a cut as well. The
  // gate's own branch gets no relevance (the gated map takes it all), so these sums are all 1.
  test::ModelBuilder b({2, 8, 8}, 21);
  const int stem = b.unary(b.conv(-1, 6, 3, 1, 1), test::ModelBuilder::clip(0.0f, 6.0f));
  const int dw = b.unary(b.grouped_conv(stem, 6, 3, 1, 1, 6),
                         test::ModelBuilder::fn(UnaryFn::kLeakyRelu, 0.1f));
  const int dil = b.act(b.grouped_conv(stem, 4, 3, 1, 2, 2, 2), LayerKind::kRelu);
  const int cat = b.concat(dw, dil);  // 10 channels
  int gate = b.flatten(b.global_pool(cat));
  gate = b.unary(b.conv(gate, 10, 1, 1, 0, true), test::ModelBuilder::fn(UnaryFn::kSigmoid));
  const int gated = b.mul(cat, gate);
  const int slice = b.gather({gated}, {{0, 0}, {0, 2}, {0, 3}, {0, 7}, {0, 9}});
  b.conv(b.flatten(b.global_pool(slice)), 3, 1, 1, 0, true);
  const QuantModel qm = quantized(positive(b.build()), 8);
  const DecodedModel dm(qm, deploy_fault_free(qm));

  // The quantized layers that form cuts (activations are fused into their producers).
  auto find = [&](auto pred) {
    for (size_t l = 0; l < qm.layers.size(); ++l) {
      if (pred(qm.layers[l])) {
        return l;
      }
    }
    FAIL("no such layer");
    return size_t{0};
  };
  const size_t q_stem = find([](const QLayer& q) { return q.inputs[0] == -1; });
  const size_t q_cat = find([](const QLayer& q) { return q.kind == QOpKind::kConcat; });
  const size_t q_mul = find([](const QLayer& q) { return q.kind == QOpKind::kMul; });
  const size_t q_slice = find([&](const QLayer& q) {
    return q.kind == QOpKind::kConcat && q.inputs[0] == static_cast<int>(q_mul);
  });
  const int q_dw = qm.layers[q_cat].inputs[0], q_dil = qm.layers[q_cat].inputs[1];
  REQUIRE(qm.layers[q_mul].inputs[0] == static_cast<int>(q_cat));

  const Dataset d = positive_images(qm, 4);
  ImageTrace t;
  std::vector<std::vector<double>> r;
  for (int i = 0; i < d.count; ++i) {
    trace_image(dm, d.image(i), t);
    lrp_relevance(dm, t, d.labels[i], r);
    for (size_t cut : {q_stem, q_cat, q_mul, q_slice}) {
      INFO("layer " << qm.layers[cut].name);
      REQUIRE(sum_of(r[cut]) == Approx(1.0).epsilon(1e-12));
    }
    REQUIRE(sum_of(r[size_t(q_dw)]) + sum_of(r[size_t(q_dil)]) == Approx(1.0).epsilon(1e-12));
    REQUIRE(sum_of(r[size_t(q_dw)]) > 0.0);  // both branches carry some of it
    REQUIRE(sum_of(r[size_t(q_dil)]) > 0.0);
    // The sliced-away channels of the product get none.
    const int64_t plane = int64_t{qm.layers[q_mul].out_shape.h} * qm.layers[q_mul].out_shape.w;
    for (int c : {1, 4, 5, 6, 8}) {
      for (int64_t p = 0; p < plane; ++p) {
        REQUIRE(r[q_mul][size_t(c * plane + p)] == 0.0);
      }
    }
  }
}

TEST_CASE("LRP of the last layer is the z+ share of the target logit", "[analysis]") {
  const QuantModel qm = quantized(small_cnn(6), 8);
  const DecodedModel dm(qm, deploy_fault_free(qm));
  const Dataset d = test::random_images(qm.input_shape, 1, 4);
  ImageTrace t;
  trace_image(dm, d.image(0), t);
  std::vector<std::vector<double>> r;
  const int target = 1;
  lrp_relevance(dm, t, target, r);
  const int last = static_cast<int>(qm.layers.size()) - 1;
  const QLayer& q = qm.layers[last];
  const std::vector<int32_t>& x = t.codes[q.inputs[0]];
  double z = 0.0;
  for (int k = 0; k < q.reduction; ++k) {
    z += x[k] * std::max(0, dm.weights[last].oik[size_t(target) * q.reduction + k]);
  }
  REQUIRE(z > 0.0);
  for (int k = 0; k < q.reduction; ++k) {
    const double want =
        x[k] * std::max(0, dm.weights[last].oik[size_t(target) * q.reduction + k]) / z;
    REQUIRE(r[q.inputs[0]][k] == Approx(want).margin(1e-12));
  }
}

TEST_CASE("feature criticality, its spread and the Eq. 6 scales on a hand-computed example",
          "[analysis]") {
  test::ModelBuilder b({1, 2, 2}, 3);
  const int a = b.conv(-1, 2, 1, 1, 0);  // 2x2x2
  b.conv(a, 2, 2, 1, 0);                 // 2x1x1: U x V = 2 x 2
  QuantModel qm = quantized(b.build(), 8);
  REQUIRE(qm.layers.size() == 2);
  qm.layers[1].weight_scale = {0.5f, 0.25f};
  DecodedModel dm(qm, deploy_fault_free(qm));
  // Rows of output k: feature 0's four weights, then feature 1's.
  dm.weights[1].oik = {1, -2, 3, 0, 0, 0, 1, 1, -1, 1, 1, 1, 2, 2, -2, 0};
  MeanRelevance r;
  r.feature = {{0.0, 0.0}, {2.0, 4.0}};
  const std::vector<FeatureCriticality> f = feature_criticality(dm, r);
  REQUIRE(f.size() == 1);  // the image is no stored tensor
  REQUIRE(f[0].layer == 0);
  REQUIRE(f[0].consumers == std::vector<int>{1});
  // eta_0 = (6 * 0.5 * 2 + 4 * 0.25 * 4) / (2 * 4) = 1.25; eta_1 = (2 * 1 + 6 * 1) / 8 = 1.
  REQUIRE(f[0].eta[0] == Approx(1.25));
  REQUIRE(f[0].eta[1] == Approx(1.0));
  // eta / mean = {1.1111, 0.8889}: population SD 1/9.
  REQUIRE(normalized_sd(f[0].eta) == Approx(1.0 / 9.0));
  REQUIRE(mean_normalized_sd(f) == Approx(1.0 / 9.0));
  const std::vector<double> s = eq6_scales(f[0].eta);
  REQUIRE(s[0] == Approx(0.9));
  REQUIRE(s[1] == Approx(1.125));
  REQUIRE(eq6_scales({0.0, 2.0})[0] == 1.0);  // a feature without criticality keeps its weights
}

TEST_CASE("the failure-rate counter matches flips of the logits counted by hand", "[analysis]") {
  const QuantModel qm = quantized(small_cnn(8), 8);
  const DecodedModel dm(qm, deploy_fault_free(qm));
  Dataset d = test::random_images(qm.input_shape, 60, 12);
  for (int32_t& l : d.labels) {
    l = static_cast<uint8_t>(l % qm.classes());
  }
  const int last = static_cast<int>(qm.layers.size()) - 1;
  // Flipping the MSB of one logit word changes only that logit: the answer follows from the
  // fault-free logits alone.
  const std::vector<Neuron> neurons = neuron_population(qm, std::to_string(last));
  REQUIRE(neurons.size() == 3);
  const NeuronFailures f = neuron_failures(dm, d, neurons, {-1, 2});
  int64_t correct = 0;
  std::vector<int64_t> want(3, 0);
  ImageTrace t;
  for (int i = 0; i < d.count; ++i) {
    trace_image(dm, d.image(i), t);
    if (t.top1 != d.labels[i]) {
      continue;
    }
    ++correct;
    for (int k = 0; k < 3; ++k) {
      std::vector<int32_t> l = t.codes.back();
      l[k] = flip_activation_code(qm.layers[last].out_q, l[k], 1u << 7);
      want[k] += top1_of(l.data(), 3) != d.labels[i] ? 1 : 0;
    }
  }
  REQUIRE(correct > 0);
  REQUIRE(f.correct_images == correct);
  REQUIRE(f.failures == want);
  REQUIRE(std::accumulate(want.begin(), want.end(), int64_t{0}) > 0);
  REQUIRE(f.rate(0) == Approx(double(want[0]) / double(correct)));
  const std::vector<int64_t> h = failure_histogram(f, 4);
  REQUIRE(std::accumulate(h.begin(), h.end(), int64_t{0}) == 3);
}

TEST_CASE("neuron population, sample size and sample are deterministic", "[analysis]") {
  // Leveugle et al. with p = 0.5: N = 87,882 (cnn_s002), e = 1%, 99% -> 13,954; 1,000 at 5%,
  // 95% -> 278.
  REQUIRE(normal_quantile_two_sided(0.95) == Approx(1.959964).epsilon(1e-6));
  REQUIRE(leveugle_sample_size(87882, 0.01, 0.99) == 13954);
  REQUIRE(leveugle_sample_size(1000, 0.05, 0.95) == 278);
  REQUIRE(leveugle_sample_size(10, 0.01, 0.99) == 10);
  const auto a = sample_indices(5000, 300, 7);
  REQUIRE(a == sample_indices(5000, 300, 7));
  REQUIRE(a != sample_indices(5000, 300, 8));
  REQUIRE(a.size() == 300);
  REQUIRE(std::adjacent_find(a.begin(), a.end(), std::greater_equal<int64_t>()) == a.end());
  REQUIRE(a.back() < 5000);
  const QuantModel qm = quantized(small_cnn(2), 8);
  REQUIRE_THROWS_AS(neuron_population(qm, "no_such_layer"), UserError);
}

TEST_CASE("analysis results do not depend on the thread count", "[analysis]") {
  const QuantModel qm = quantized(small_cnn(9), 8);
  const DecodedModel dm(qm, deploy_fault_free(qm));
  Dataset d = test::random_images(qm.input_shape, 40, 13);
  for (int32_t& l : d.labels) {
    l = static_cast<uint8_t>(l % qm.classes());  // 3 classes: some images are right
  }
  const std::vector<Neuron> all = neuron_population(qm, "");
  const NeuronFailures one = neuron_failures(dm, d, all, {-1, 1});
  const NeuronFailures three = neuron_failures(dm, d, all, {-1, 3});
  REQUIRE(one.failures == three.failures);
  REQUIRE(one.correct_images == three.correct_images);
  const MeanRelevance r1 = mean_relevance(dm, d, 1);
  const MeanRelevance r3 = mean_relevance(dm, d, 3);
  REQUIRE(r1.mean == r3.mean);  // bit for bit
  BitFlipConfig c;
  c.mode = FaultKind::kRandomFlips;
  const auto b1 = ber_failure_rates(dm, d, c, {1e-3, 1e-2}, 5, 3, 1);
  const auto b2 = ber_failure_rates(dm, d, c, {1e-3, 1e-2}, 5, 3, 2);
  REQUIRE(b1[1].failure_rate == b2[1].failure_rate);
  REQUIRE(b1[1].mean > 0.0);
}

TEST_CASE("relevance and BER analyses report every image once, for progress lines", "[analysis]") {
  const QuantModel qm = quantized(small_cnn(9), 8);
  const DecodedModel dm(qm, deploy_fault_free(qm));
  Dataset d = test::random_images(qm.input_shape, 37, 13);  // not a multiple of the chunk
  for (int32_t& l : d.labels) {
    l = static_cast<uint8_t>(l % qm.classes());
  }
  for (int threads : {1, 3}) {
    int relevance_images = 0;
    const MeanRelevance with =
        mean_relevance(dm, d, threads, [&](int n) { relevance_images += n; });
    REQUIRE(relevance_images == d.count);
    REQUIRE(with.mean == mean_relevance(dm, d, threads).mean);  // reporting changes nothing
    BitFlipConfig c;
    c.mode = FaultKind::kRandomFlips;
    int ber_images = 0;
    const auto b =
        ber_failure_rates(dm, d, c, {1e-2}, 3, 3, threads, [&](int n) { ber_images += n; });
    REQUIRE(ber_images == d.count);
    REQUIRE(b[0].failure_rate ==
            ber_failure_rates(dm, d, c, {1e-2}, 3, 3, threads)[0].failure_rate);
  }
}
