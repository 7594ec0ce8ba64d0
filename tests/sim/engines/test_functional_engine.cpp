// The functional engine against the naive reference: bit for bit on every layer.
#include <catch2/catch.hpp>

#include "hw_models/activation_faults.h"
#include "memory/deployed_weights.h"
#include "sim/engines/functional_engine.h"
#include "sim/engines/reference.h"
#include "sim/quantization/quantize.h"
#include "tests/support/random_model.h"

using namespace safsim;

namespace {

QuantModel quantized(const Model& m, int wbits, int abits, WeightFormat f, bool per_channel) {
  QuantConfig qc;
  qc.weight_bits = wbits;
  qc.activation_bits = abits;
  qc.weight_format = f;
  qc.per_channel = per_channel;
  return quantize(m, qc, test::random_images(m.input_shape, 50, 7));
}

void require_matches_reference(const QuantModel& qm, const Dataset& d, int threads) {
  const DeployedWeights w = deploy_fault_free(qm);
  const FunctionalEngine fe(qm, w, threads);
  const Logits out = fe.run(d);
  REQUIRE(out.images == d.count);
  for (int i = 0; i < d.count; ++i) {
    const auto ref = reference_run(qm, w, d.image(i));
    const std::vector<int32_t> got(out.codes.begin() + size_t(i) * out.classes,
                                   out.codes.begin() + size_t(i + 1) * out.classes);
    REQUIRE(got == ref.back());
    if (i < 3) {
      const LayerActivations acts = fe.activations(d.image(i));
      for (size_t l = 0; l < ref.size(); ++l) {
        INFO("layer " << qm.layers[l].name);
        REQUIRE(acts.codes[l] == ref[l]);
      }
    }
  }
}

}  // namespace

TEST_CASE("functional engine equals the naive reference on odd shapes, padding and stride 2",
          "[engine]") {
  const Model m = test::odd_shapes_model(11);
  const Dataset d = test::random_images(m.input_shape, 150, 3);  // 150: partial last chunk
  for (int bits : {2, 4, 8}) {
    for (WeightFormat f : {WeightFormat::kTwosComplement, WeightFormat::kOffsetBinary}) {
      INFO("weight bits " << bits << " format " << to_string(f));
      require_matches_reference(quantized(m, bits, 8, f, false), d, 2);
    }
  }
}

TEST_CASE("functional engine is exact where fp32 GEMM is not (16-bit weights and activations)",
          "[engine]") {
  const Model m = test::odd_shapes_model(5);
  const Dataset d = test::random_images(m.input_shape, 20, 4);
  require_matches_reference(quantized(m, 16, 16, WeightFormat::kTwosComplement, true), d, 1);
  require_matches_reference(quantized(m, 12, 10, WeightFormat::kOffsetBinary, false), d, 2);
}

TEST_CASE("max-pooling accumulators before post-processing gives identical codes", "[engine]") {
  const Model m = test::conv_pool_model(21);
  const Dataset d = test::random_images(m.input_shape, 130, 9);
  for (int bits : {2, 4, 8, 16}) {
    INFO("weight bits " << bits);
    require_matches_reference(quantized(m, bits, 8, WeightFormat::kTwosComplement, false), d, 2);
  }
}

TEST_CASE("sigmoid layers use the shared lookup table", "[engine]") {
  const Model m = test::odd_shapes_model(9, /*sigmoid=*/true);
  const Dataset d = test::random_images(m.input_shape, 40, 5);
  require_matches_reference(quantized(m, 8, 8, WeightFormat::kTwosComplement, false), d, 2);
}

TEST_CASE("functional engine results do not depend on the thread count", "[engine]") {
  const Model m = test::odd_shapes_model(13);
  const Dataset d = test::random_images(m.input_shape, 300, 6);
  for (WeightFormat f : {WeightFormat::kTwosComplement, WeightFormat::kFp32, WeightFormat::kBf16}) {
    const QuantModel qm = quantized(m, 8, 8, f, false);
    const DeployedWeights w = deploy_fault_free(qm);
    const Logits one = FunctionalEngine(qm, w, 1).run(d);
    const Logits two = FunctionalEngine(qm, w, 2).run(d);
    REQUIRE(one.codes == two.codes);
    REQUIRE(one.values == two.values);
  }
}

TEST_CASE("fp32 deployment reproduces the float model", "[engine]") {
  const Model m = test::odd_shapes_model(17);
  const Dataset d = test::random_images(m.input_shape, 10, 8);
  const QuantModel qm = quantized(m, 8, 8, WeightFormat::kFp32, false);
  const Logits out = FunctionalEngine(qm, deploy_fault_free(qm), 1).run(d);
  for (int i = 0; i < d.count; ++i) {
    std::vector<float> img(d.shape.size());
    for (size_t p = 0; p < img.size(); ++p) {
      img[p] = d.image(i)[p] / 255.0f;
    }
    const std::vector<float> ref = run_float(m, img);
    for (int c = 0; c < out.classes; ++c) {
      REQUIRE(out.values[size_t(i) * out.classes + c] == Approx(ref[c]).margin(1e-4));
    }
  }
}

TEST_CASE("activation flips hit the same codes in the functional engine and the reference",
          "[engine][faults]") {
  const Model m = test::odd_shapes_model(23);
  Dataset all = test::random_images(m.input_shape, 90, 10);
  const Dataset d = all.slice(10, 70);  // flips are keyed by the image's index in the split
  const QuantModel qm = quantized(m, 8, 8, WeightFormat::kTwosComplement, false);
  const DeployedWeights w = deploy_fault_free(qm);
  BitFlipConfig random;
  random.mode = FaultKind::kRandomFlips;
  random.rate = 1e-3;
  BitFlipConfig msb;
  msb.mode = FaultKind::kMsbFlips;
  msb.rate = 0.02;
  BitFlipConfig targeted;
  targeted.mode = FaultKind::kTargetedFlips;
  targeted.count = 3;
  targeted.layer = "0";
  targeted.bit = 6;
  for (const BitFlipConfig& c : {random, msb, targeted}) {
    const ActivationFaultPlan plan(qm, c, /*seed=*/5, /*trial=*/1);
    FunctionalEngine fe(qm, w, 2);
    fe.set_activation_faults(&plan);
    const Logits out = fe.run(d);
    const Logits clean = FunctionalEngine(qm, w, 2).run(d);
    int64_t flips = 0;
    for (int i = 0; i < d.count; ++i) {
      flips += static_cast<int64_t>(plan.flips(d.first_index + i).size());
      const auto ref = reference_run(qm, w, d.image(i), &plan, d.first_index + i);
      const std::vector<int32_t> got(out.codes.begin() + size_t(i) * out.classes,
                                     out.codes.begin() + size_t(i + 1) * out.classes);
      REQUIRE(got == ref.back());
    }
    REQUIRE(flips > 0);
    REQUIRE(out.codes != clean.codes);
  }
}

TEST_CASE(
    "functional engine equals the naive reference on grouped, depthwise and dilated "
    "convolutions, every activation, concat, shuffle, gates and ceil-mode pooling",
    "[engine][ops]") {
  const Model m = test::new_ops_model(21);
  const Dataset d = test::random_images(m.input_shape, 70, 5);
  for (int bits : {4, 8}) {
    INFO("weight bits " << bits);
    require_matches_reference(quantized(m, bits, 8, WeightFormat::kTwosComplement, bits == 4), d,
                              2);
  }
  INFO("16-bit weights and activations (double and int64 GEMMs)");
  require_matches_reference(quantized(m, 16, 16, WeightFormat::kTwosComplement, false), d, 1);
}

TEST_CASE("fp32 deployment reproduces the float model on the new ops", "[engine][ops]") {
  const Model m = test::new_ops_model(22);
  QuantConfig qc;
  qc.weight_format = WeightFormat::kFp32;
  qc.weight_bits = 32;
  const Dataset d = test::random_images(m.input_shape, 5, 9);
  const QuantModel qm = quantize(m, qc, d);
  const FunctionalEngine fe(qm, deploy_fault_free(qm), 1);
  const Logits out = fe.run(d);
  for (int i = 0; i < d.count; ++i) {
    std::vector<float> image(d.image(i), d.image(i) + m.input_shape.size());
    for (float& v : image) {
      v /= 255.0f;
    }
    const std::vector<float> want = run_float(m, image);
    for (int c = 0; c < out.classes; ++c) {
      INFO("image " << i << " class " << c);
      REQUIRE(out.values[size_t(i) * out.classes + c] == Approx(want[size_t(c)]).margin(1e-4));
    }
  }
}
