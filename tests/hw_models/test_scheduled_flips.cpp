// Scheduled flips in the cycle engine (faults.scheduled_flips, docs/faults.md): a flip that
// lands before a read of its word is effective and changes the result exactly as the reference
// with that word flipped predicts; one that lands after the last read is masked.
#include <catch2/catch.hpp>

#include "hw_models/activation_faults.h"
#include "sim/engines/cycle_engine.h"
#include "tests/support/cycle_test_util.h"

using namespace safsim;

namespace {

// conv1 (0) -> maxpool (1) -> conv2 (2) -> maxpool (3) -> conv3 (4) -> maxpool (5) -> flatten
// (6) -> linear (7), on a 16 x 16 array with ideal memory: the schedule is data-independent, so
// a first run on one image gives every layer's start relative to the image's first cycle.
struct Setup {
  QuantModel qm = test::quantized(test::conv_pool_model(31), 8);
  DeployedWeights w = deploy_fault_free(qm);
  Dataset images = test::random_images(qm.input_shape, 8, 12);
  CycleEngine engine{qm, w, test::array_config(16, 16), TraceConfig{}, ""};
  RunStats first;  // image 0 alone, from cycle 0

  Setup() {
    REQUIRE(qm.layers.size() == 8);
    REQUIRE(qm.layers[1].kind == QOpKind::kMaxPool);
    REQUIRE(qm.layers[2].kind == QOpKind::kArray);
    REQUIRE(qm.layers[7].is_linear);
    first = engine.run(images.slice(0, 1)).stats;
  }
  uint64_t start(int layer) const { return first.layers[size_t(layer)].first_image_start_cycle; }
  std::vector<int32_t> clean(int image) const {
    return reference_run(qm, w, images.image(image)).back();
  }
  /// A one-word flip of `layer`'s output (a targeted plan, bit 6) that changes image's logits,
  /// and the reference's logits with it.
  std::pair<ActivationFlip, std::vector<int32_t>> changing_flip(int layer, int image) const {
    for (uint64_t seed = 1; seed < 200; ++seed) {
      BitFlipConfig c;
      c.mode = FaultKind::kTargetedFlips;
      c.count = 1;
      c.layer = std::to_string(layer);
      c.bit = 6;
      const ActivationFaultPlan plan(qm, c, seed, 0);
      std::vector<int32_t> logits = reference_run(qm, w, images.image(image), &plan, image).back();
      if (logits != clean(image)) {
        return {plan.flips(image).at(0), logits};
      }
    }
    FAIL("no flip of layer " << layer << " changes image " << image);
    return {};
  }
  int64_t ifmap_address(int layer, int64_t element) const {
    int64_t a = static_cast<int64_t>(qm.input_shape.size());
    for (int l = 0; l < layer; ++l) {
      a += qm.layers[size_t(l)].kind == QOpKind::kFlatten
               ? 0
               : static_cast<int64_t>(qm.layers[size_t(l)].out_shape.size());
    }
    return a + element;
  }
};

}  // namespace

TEST_CASE("scheduled flips read after they land are effective and change the logits as predicted",
          "[cycle][faults][scheduled]") {
  Setup s;
  std::vector<ScheduledFlip> flips;
  // Image 1: a conv1 output word flips as the max-pool (a PPU layer) starts: it reads it then.
  const uint64_t s1 = s.engine.cycle();
  const auto [a, predicted_a] = s.changing_flip(0, 1);
  flips.push_back({s1 + s.start(1), FlipMemory::kIfmap, s.ifmap_address(0, a.element), 6});
  // Image 2 (one image lasts first.total.cycles + 1 cycles: the idle step that ends a run): a
  // pool output word flips as conv2 starts; the ifmap read-ahead fetches its first token then,
  // and the word is read with the first token whose window holds it.
  const uint64_t s2 = s1 + s.first.total.cycles + 1;
  const auto [b, predicted_b] = s.changing_flip(1, 2);
  flips.push_back({s2 + s.start(2), FlipMemory::kIfmap, s.ifmap_address(1, b.element), 6});
  s.engine.set_scheduled_flips(flips);

  const CycleResult r1 = s.engine.run(s.images.slice(1, 1));
  REQUIRE(s.engine.cycle() == s2);
  const CycleResult r2 = s.engine.run(s.images.slice(2, 1));
  REQUIRE(test::image_codes(r1.logits, 0) == predicted_a);
  REQUIRE(test::image_codes(r2.logits, 0) == predicted_b);
  const std::vector<FlipRecord> rec = s.engine.scheduled_flips();
  REQUIRE(rec[0].outcome == FlipOutcome::kEffective);
  REQUIRE(rec[0].decided_cycle == flips[0].cycle);  // the max-pool reads at its first cycle
  REQUIRE(rec[1].outcome == FlipOutcome::kEffective);
  REQUIRE(rec[1].decided_cycle >= flips[1].cycle);
  REQUIRE(rec[1].decided_cycle < s2 + s.start(3));
  REQUIRE(count_outcomes(rec).injected == 2);
  REQUIRE(count_outcomes(rec).effective == 2);
}

TEST_CASE("a scheduled psum flip before the post-processing read changes only that output",
          "[cycle][faults][scheduled]") {
  Setup s;
  // The linear layer (7): K = 5, O = 10, T = 1 -> one fold, one tile in psum half 0, token row
  // 0. It hands the tile to the PPU cost = ceil(1 x 10 / 16 lanes) + 4 = 5 cycles before the
  // layer ends; every accumulation is done by then, the PPU reads the psums in that cycle.
  const LayerStats& fc = s.first.layers[7];
  const uint64_t s1 = s.engine.cycle();
  const uint64_t tile_done = s1 + s.start(7) + fc.cycles - 5;
  const int cls = 3;
  s.engine.set_scheduled_flips({{tile_done, FlipMemory::kOfmap, cls, 20}});
  const CycleResult r = s.engine.run(s.images.slice(1, 1));
  const std::vector<int32_t> got = test::image_codes(r.logits, 0);
  const std::vector<int32_t> clean = s.clean(1);
  for (int c = 0; c < 10; ++c) {
    INFO("class " << c);
    REQUIRE((got[size_t(c)] != clean[size_t(c)]) == (c == cls));
  }
  const FlipRecord rec = s.engine.scheduled_flips().at(0);
  REQUIRE(rec.outcome == FlipOutcome::kEffective);
  REQUIRE(rec.decided_cycle == tile_done);
}

TEST_CASE("a scheduled NVM flip before a weight read is effective and equals the flipped weight",
          "[cycle][faults][scheduled]") {
  Setup s;
  // conv2's words start after conv1's; flip the sign bit of the first weight whose flip changes
  // image 1's logits. It lands as image 1 starts, before conv2's folds are fetched.
  const int64_t base = static_cast<int64_t>(s.w.stored[0].size());
  DeployedWeights flipped = s.w;
  int64_t word = -1;
  for (size_t i = 0; i < s.w.stored[2].size() && word < 0; ++i) {
    flipped.stored[2][i] ^= 0x80u;
    if (reference_run(s.qm, flipped, s.images.image(1)).back() != s.clean(1)) {
      word = static_cast<int64_t>(i);
    } else {
      flipped.stored[2][i] ^= 0x80u;
    }
  }
  REQUIRE(word >= 0);
  const uint64_t s1 = s.engine.cycle();
  s.engine.set_scheduled_flips({{s1, FlipMemory::kNvm, base + word, 7}});
  const CycleResult r = s.engine.run(s.images.slice(1, 2));
  // The NVM keeps the flipped cell: both images see it.
  REQUIRE(test::image_codes(r.logits, 0) == reference_run(s.qm, flipped, s.images.image(1)).back());
  REQUIRE(test::image_codes(r.logits, 1) == reference_run(s.qm, flipped, s.images.image(2)).back());
  const FlipRecord rec = s.engine.scheduled_flips().at(0);
  REQUIRE(rec.outcome == FlipOutcome::kEffective);
  REQUIRE(rec.decided_cycle >= s1 + s.start(2));
  REQUIRE(rec.decided_cycle < s1 + s.start(3));
}

TEST_CASE("scheduled flips after the last read of their word are masked and change nothing",
          "[cycle][faults][scheduled]") {
  Setup s;
  const uint64_t s1 = s.engine.cycle();
  const uint64_t image = s.first.total.cycles;  // cycles of one image (two back to back here)
  const std::vector<ScheduledFlip> flips = {
      // conv1's output, once the max-pool has read it: image 2's conv1 overwrites it.
      {s1 + s.start(2), FlipMemory::kIfmap, s.ifmap_address(0, 17), 7},
      // conv1's weights in image 2, after conv1's folds were fetched: never read again.
      {s1 + image + s.start(2), FlipMemory::kNvm, 3, 7},
      // psum half 0 after conv1's last tile was post-processed: conv2's first fold overwrites.
      {s1 + s.start(1), FlipMemory::kOfmap, 0, 12},
      // image 1's logits, the cycle after they were read out: image 2's linear layer
      // overwrites them.
      {s1 + image + 1, FlipMemory::kIfmap, s.ifmap_address(7, 0), 2},
  };
  s.engine.set_scheduled_flips(flips);
  const CycleResult r = s.engine.run(s.images.slice(1, 2));
  REQUIRE(test::image_codes(r.logits, 0) == s.clean(1));
  REQUIRE(test::image_codes(r.logits, 1) == s.clean(2));
  const std::vector<FlipRecord> rec = s.engine.scheduled_flips();
  for (size_t i = 0; i < rec.size(); ++i) {
    INFO("flip " << i << ": " << s.engine.describe(rec[i].flip));
    REQUIRE(rec[i].outcome == FlipOutcome::kMasked);
    REQUIRE(rec[i].decided_cycle >= rec[i].flip.cycle);
  }
  REQUIRE(rec[0].decided_cycle < s1 + image + s.start(1));  // overwritten by image 2's conv1
  REQUIRE(rec[2].decided_cycle < s1 + s.start(3));          // overwritten by conv2
  REQUIRE(rec[1].decided_cycle == s.engine.cycle() - 1);    // the run's last cycle
  REQUIRE(rec[3].decided_cycle < s1 + 2 * image);
  // The run's statistics count them.
  uint64_t injected = 0, masked = 0;
  for (const auto& [name, value] : r.stats.block_counters) {
    injected += name == "accelerator.scheduled_flips.injected" ? value : 0;
    masked += name == "accelerator.scheduled_flips.masked" ? value : 0;
  }
  REQUIRE(injected == 4);
  REQUIRE(masked == 4);
}

TEST_CASE("scheduled flips outside the memories are config errors", "[cycle][faults][scheduled]") {
  Setup s;
  REQUIRE_THROWS_WITH(s.engine.set_scheduled_flips({{10, FlipMemory::kIfmap, 1 << 20, 0}}),
                      Catch::Contains("faults.scheduled_flips[0]: ifmap address must be below"));
  REQUIRE_THROWS_WITH(s.engine.set_scheduled_flips({{10, FlipMemory::kNvm, 0, 8}}),
                      Catch::Contains("faults.scheduled_flips[0]: bit must be below 8"));
  REQUIRE_THROWS_WITH(parse_scheduled_flip("10:sram:3:1", "k"),
                      Catch::Contains("memory must be one of nvm, ifmap, ofmap"));
  REQUIRE_THROWS_WITH(parse_scheduled_flip("10:nvm:3", "k"),
                      Catch::Contains("must be \"cycle:memory:address:bit\""));
  REQUIRE_THROWS_WITH(
      parse_config("faults:\n  scheduled_flips: ['5:nvm:1:2', '5:nvm:x:2']\n", "x.yaml"),
      "faults.scheduled_flips[1] must be \"cycle:memory:address:bit\" with memory nvm, ifmap or "
      "ofmap, got '5:nvm:x:2'");
  const ScheduledFlip f = parse_scheduled_flip("1200:ifmap:37:6", "k");
  REQUIRE(f.cycle == 1200);
  REQUIRE(f.memory == FlipMemory::kIfmap);
  REQUIRE(f.address == 37);
  REQUIRE(f.bit == 6);
}
