// Read errors in the cycle engine (faults.weights.read_errors, docs/faults.md): ber 0 changes
// nothing, ber 1 runs the model on the inverted stored words, and an image's result depends on
// its dataset index alone, not on the batch it runs in.
#include <catch2/catch.hpp>

#include "memory/deployment.h"
#include "sim/engines/cycle_engine.h"
#include "sim/engines/functional_engine.h"
#include "tests/support/cycle_test_util.h"

using namespace safsim;

namespace {

struct Setup {
  QuantModel qm = test::quantized(test::conv_pool_model(31), 8);
  DeployedWeights w = deploy_fault_free(qm);
  Dataset images = test::random_images(qm.input_shape, 4, 12);
  // Real memory timing: reads come from the bank queues, not at fetch time.
  CycleEngine engine;

  explicit Setup(WeightLoad load = WeightLoad::kSerial, Dataflow dataflow = Dataflow::kWs)
      : engine(qm, w, config(load, dataflow), TraceConfig{}, "") {}
  static AcceleratorConfig config(WeightLoad load, Dataflow dataflow) {
    AcceleratorConfig a = test::array_config(8, 8, /*ideal=*/false, load);
    a.dataflow = dataflow;
    return a;
  }
};

ReadErrorConfig with_ber(double ber, uint64_t seed = 0) {
  ReadErrorConfig c;
  c.ber = ber;
  c.seed = seed;
  return c;
}

uint64_t counter(const CycleResult& r, const std::string& name) {
  for (const auto& [key, value] : r.stats.block_counters) {
    if (key == name) {
      return value;
    }
  }
  FAIL("no block counter " << name);
  return 0;
}

}  // namespace

TEST_CASE("read errors with ber 0 leave the cycle engine's logits bit-identical",
          "[cycle][faults][read_errors]") {
  Setup s;
  const CycleResult clean = s.engine.run(s.images);
  s.engine.set_read_errors(with_ber(0.0, 3), 1);
  const CycleResult zero = s.engine.run(s.images);
  CHECK(zero.logits.codes == clean.logits.codes);
  CHECK(zero.stats.total.cycles == clean.stats.total.cycles);
  CHECK(counter(zero, "accelerator.nvm.read_error_bits") == 0);
  CHECK(clean.logits.codes == FunctionalEngine(s.qm, s.w, 1).run(s.images).codes);
}

TEST_CASE("read errors with ber 1 compute with every stored word inverted",
          "[cycle][faults][read_errors]") {
  Setup s;
  s.engine.set_read_errors(with_ber(1.0), 1);
  const CycleResult r = s.engine.run(s.images);
  DeployedWeights inverted = s.w;
  for (std::vector<uint32_t>& layer : inverted.stored) {
    for (uint32_t& word : layer) {
      word ^= 0xFFu;  // 8 cells per word
    }
  }
  const Logits expected = FunctionalEngine(s.qm, inverted, 1).run(s.images);
  CHECK(r.logits.codes == expected.codes);
  CHECK(r.logits.codes != FunctionalEngine(s.qm, s.w, 1).run(s.images).codes);
  CHECK(counter(r, "accelerator.nvm.read_error_bits") == counter(r, "accelerator.nvm.bits_read"));
}

namespace {

/// Image 2 alone (dataset index 2) gives its logits in the batch of images 0..3.
void check_batch_independence(Setup& s) {
  const CycleResult clean = s.engine.run(s.images);
  s.engine.set_read_errors(with_ber(0.02), 7);
  const CycleResult batch = s.engine.run(s.images);
  REQUIRE(counter(batch, "accelerator.nvm.read_error_bits") > 0);
  CHECK(batch.logits.codes != clean.logits.codes);
  CHECK(s.engine.run(s.images).logits.codes == batch.logits.codes);  // same seed, same logits
  const CycleResult alone = s.engine.run(s.images.slice(2, 1));
  CHECK(test::image_codes(alone.logits, 0) == test::image_codes(batch.logits, 2));
  s.engine.set_read_errors(with_ber(0.02), 8);  // another seed: other errors
  CHECK(s.engine.run(s.images).logits.codes != batch.logits.codes);
}

}  // namespace

TEST_CASE("read errors of an image depend on its dataset index and not on its batch",
          "[cycle][faults][read_errors]") {
  // Overlapped loads fetch the next fold while a fold computes: still within the image.
  Setup s(WeightLoad::kOverlapped);
  check_batch_independence(s);
}

TEST_CASE("read errors do not depend on the batch on the output-stationary dataflow",
          "[cycle][faults][read_errors]") {
  Setup s(WeightLoad::kSerial, Dataflow::kOs);
  check_batch_independence(s);
}

TEST_CASE("read errors do not depend on the batch on the input-stationary dataflow",
          "[cycle][faults][read_errors]") {
  Setup s(WeightLoad::kSerial, Dataflow::kIs);
  check_batch_independence(s);
}
