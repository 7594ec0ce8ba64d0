// mitigation.ties balanced: every scheme's deliver function against an exhaustive search, the tie
// rule on hand-made cases, and a fault-free LSB layer whose channel deviations it balances.
#include <catch2/catch.hpp>
#include <cstdlib>

#include "memory/deployment.h"
#include "memory/encoders/balanced_ties.h"
#include "memory/encoders/encoder.h"
#include "memory/read_path_decoder.h"

using namespace safsim;

TEST_CASE("deliver finds a word exactly when some storable word decodes to the target",
          "[encoders][ties]") {
  for (const MitigationScheme s :
       {MitigationScheme::kAddSub, MitigationScheme::kLsb, MitigationScheme::kC1,
        MitigationScheme::kOptimal, MitigationScheme::kOptimalFlip}) {
    for (const int bits : {4, 5}) {
      const WordFormat fmt{WeightFormat::kTwosComplement, bits};
      const uint32_t full = fmt.mask();
      for (uint32_t mask = 0; mask <= full; mask += 3) {  // a third of the stuck-cell sets
        for (uint32_t values = mask;; values = (values - 1) & mask) {
          const StuckBits stuck{mask, values};
          for (uint32_t word = 0; word <= full; ++word) {
            bool exists = false;
            for (uint32_t w = 0; w <= full; ++w) {
              exists = exists || (cells_hold(w, stuck) && decode_read_path(s, fmt, w) == word);
            }
            const std::optional<uint32_t> got = scheme_row(s).deliver(fmt, word, stuck);
            INFO(to_string(s) << " Q=" << bits << " mask " << mask << " values " << values
                              << " word " << word);
            REQUIRE(got.has_value() == exists);
            if (got) {
              CHECK(cells_hold(*got, stuck));
              CHECK(decode_read_path(s, fmt, *got) == word);
            }
          }
          if (values == 0) {
            break;
          }
        }
      }
    }
  }
  CHECK(scheme_row(MitigationScheme::kNone).deliver == nullptr);
  CHECK(scheme_row(MitigationScheme::kSecded).deliver == nullptr);
}

TEST_CASE("the balanced tie rule moves the running deviation towards zero", "[encoders][ties]") {
  const WordFormat fmt{WeightFormat::kTwosComplement, 4};
  const StuckBits none{0, 0};
  // LSB on a fault-free word: 3 is delivered as 2 (b0 cleared), deviation -1.
  const uint32_t literal = encode_word(MitigationScheme::kLsb, fmt, fmt.to_word(3), none);
  REQUIRE(delivered_deviation(MitigationScheme::kLsb, fmt, 3, literal, none) == -1);
  // Running sum 0: |0 - 1| == |0 + 1|, the literal word stays.
  CHECK(balance_tie(MitigationScheme::kLsb, fmt, 3, literal, none, 0, 0).word == literal);
  // Running sum -1: 4 (deviation +1) brings it to 0.
  const TieChoice up = balance_tie(MitigationScheme::kLsb, fmt, 3, literal, none, -1, 0);
  CHECK(up.deviation == 1);
  CHECK(fmt.to_int(decode_read_path(MitigationScheme::kLsb, fmt, up.word)) == 4);
  // Running sum +1: the literal -1 already helps.
  CHECK(balance_tie(MitigationScheme::kLsb, fmt, 3, literal, none, 1, 0).deviation == -1);
  // 7 cannot go up: 8 is outside the quantized range [-7, 7].
  const uint32_t top = encode_word(MitigationScheme::kLsb, fmt, fmt.to_word(7), none);
  CHECK(balance_tie(MitigationScheme::kLsb, fmt, 7, top, none, -5, 0).deviation == -1);
  // Stuck cells can forbid the other side: 4 = 0100 and its LSB complement 1011 both need b2/b0
  // cells that b2 stuck at 0 and b0 stuck at 0 deny.
  const StuckBits pinned{0b0101, 0b0000};
  const uint32_t w = encode_word(MitigationScheme::kLsb, fmt, fmt.to_word(3), pinned);
  const int32_t d = delivered_deviation(MitigationScheme::kLsb, fmt, 3, w, pinned);
  CHECK(balance_tie(MitigationScheme::kLsb, fmt, 3, w, pinned, -d, 0).deviation == d);
  // Schemes that do not encode around the map keep their word.
  CHECK(balance_tie(MitigationScheme::kNone, fmt, 3, fmt.to_word(3), {0b0001, 0}, 5, 0).deviation ==
        -1);
}

TEST_CASE("balanced ties keep a fault-free LSB layer's channel deviations within one LSB",
          "[encoders][ties][deployment]") {
  QuantModel qm;
  qm.weight_format = {WeightFormat::kTwosComplement, 4};
  QLayer l;
  l.kind = QOpKind::kArray;
  l.out_channels = 3;
  l.reduction = 9;
  for (int o = 0; o < l.out_channels; ++o) {
    for (int k = 0; k < l.reduction; ++k) {
      l.weight_words.push_back(qm.weight_format.to_word((k * 5 + o * 3) % 15 - 7));
    }
  }
  qm.layers.push_back(l);
  MitigationConfig mit;
  mit.scheme = MitigationScheme::kLsb;
  DeploymentStats literal, balanced;
  deploy(qm, FaultsConfig{}, mit, 1, 0, &literal);
  mit.ties = TieRule::kBalanced;
  const DeployedWeights w = deploy(qm, FaultsConfig{}, mit, 1, 0, &balanced);
  CHECK(literal.mean_abs_channel_deviation_after > 2.0);  // every odd weight floored
  CHECK(balanced.mean_abs_channel_deviation_after <= 1.0);
  CHECK(balanced.mean_abs_deviation_after == literal.mean_abs_deviation_after);  // same |dw|
  const std::vector<uint32_t> decoded = w.read_path.decode_words(w.stored[0]);
  for (int o = 0; o < l.out_channels; ++o) {
    int64_t sum = 0;
    for (int k = 0; k < l.reduction; ++k) {
      const size_t i = size_t(o * l.reduction + k);
      sum += qm.weight_format.to_int(decoded[i]) - qm.weight_format.to_int(l.weight_words[i]);
    }
    CHECK(std::llabs(sum) <= 1);
  }
}

TEST_CASE("tie slack lets an exact weight move one LSB when its channel needs it",
          "[encoders][ties]") {
  const WordFormat fmt{WeightFormat::kTwosComplement, 4};
  const StuckBits none{0, 0};
  const uint32_t exact = encode_word(MitigationScheme::kOptimal, fmt, fmt.to_word(3), none);
  CHECK(balance_tie(MitigationScheme::kOptimal, fmt, 3, exact, none, 5, 0).deviation == 0);
  const TieChoice moved = balance_tie(MitigationScheme::kOptimal, fmt, 3, exact, none, 5, 1);
  CHECK(moved.deviation == -1);
  CHECK(fmt.to_int(moved.word) == 2);
  // Slack 2 reaches 1 (deviation -2), closer still to balancing +5.
  CHECK(balance_tie(MitigationScheme::kOptimal, fmt, 3, exact, none, 5, 2).deviation == -2);
  // A balanced channel keeps its exact weights whatever the slack.
  CHECK(balance_tie(MitigationScheme::kOptimal, fmt, 3, exact, none, 0, 2).deviation == 0);
}
