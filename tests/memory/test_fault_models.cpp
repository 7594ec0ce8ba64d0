// Statistics of every fault generator at fixed seeds: observed rates within binomial bounds,
// the sa1 fraction, clustering along word and bit lines, exact targeted counts.
#include <catch2/catch.hpp>
#include <cmath>
#include <set>

#include "base/errors.h"
#include "memory/fault_model.h"
#include "sim/config.h"

namespace safsim {
namespace {

/// |observed - n p| within 5 binomial standard deviations.
bool within_binomial(double observed, double n, double p) {
  return std::abs(observed - n * p) <= 5.0 * std::sqrt(n * p * (1.0 - p)) + 1e-9;
}

FaultTarget target(int64_t rows, int words_per_row, int word_bits) {
  FaultTarget t;
  t.geometry = {1, rows, words_per_row, word_bits};
  t.value_bits = word_bits;
  t.layers = {{0, "conv1", 0, t.geometry.words() / 2},
              {2, "fc", t.geometry.words() / 2, t.geometry.words() / 2}};
  return t;
}

FaultModelSpec stuck(double rate, double sa1, StuckAtPattern pattern, double cluster) {
  FaultModelSpec s;
  s.kind = FaultKind::kStuckAt;
  s.rate = rate;
  s.sa1_fraction = sa1;
  s.pattern = pattern;
  s.cluster_probability = cluster;
  return s;
}

bool is_stuck(const DefectMap& m, int64_t cell) {
  const int b = m.geometry().word_bits;
  return (m.at(cell / b).mask >> (cell % b)) & 1u;
}

}  // namespace

TEST_CASE("uniform stuck-at: cell rate, sa1 fraction and every bit position equally hit",
          "[faults]") {
  const FaultTarget t = target(1000, 128, 8);  // 1 024 000 cells
  const auto model = make_fault_model(stuck(0.01, 0.8, StuckAtPattern::kUniform, 0.0));
  const DefectMap m = model->draw(t, RandomStream(42, 0, "weight_stuck_at")).defects;
  const double cells = double(t.geometry.cells());
  const auto defective = double(m.defective_cells());
  CHECK(within_binomial(defective, cells, 0.01));
  CHECK(within_binomial(double(m.stuck_at_one_cells()), defective, 0.8));
  std::vector<int64_t> per_bit(8, 0);
  for (int64_t w = 0; w < m.words(); ++w) {
    for (int b = 0; b < 8; ++b) {
      per_bit[size_t(b)] += (m.at(w).mask >> b) & 1u;
    }
  }
  for (const int64_t n : per_bit) {
    CHECK(within_binomial(double(n), defective, 1.0 / 8));
  }
  // Same key, same map; another trial, another map.
  CHECK(model->draw(t, RandomStream(42, 0, "weight_stuck_at")).defects == m);
  CHECK(!(model->draw(t, RandomStream(42, 1, "weight_stuck_at")).defects == m));
}

TEST_CASE("stuck-at presets: rram 0.8 and pcm 0.5 stuck-at-1", "[faults]") {
  StuckAtConfig c;
  c.rate = 0.02;
  c.sa1_fraction = 0.1;
  c.preset = StuckAtPreset::kPcm;
  CHECK(stuck_at_spec(c).sa1_fraction == 0.5);
  c.preset = StuckAtPreset::kRram;
  CHECK(stuck_at_spec(c).sa1_fraction == 0.8);
  c.preset = StuckAtPreset::kCustom;
  CHECK(stuck_at_spec(c).sa1_fraction == 0.1);
  c.preset = StuckAtPreset::kPcm;
  const FaultTarget t = target(500, 128, 8);
  const DefectMap m = make_fault_model(stuck_at_spec(c))->draw(t, RandomStream(1, 0, "s")).defects;
  CHECK(within_binomial(double(m.stuck_at_one_cells()), double(m.defective_cells()), 0.5));
}

TEST_CASE("word-line clusters: defects continue along rows, not down columns", "[faults]") {
  const FaultTarget t = target(2000, 64, 8);  // rows of 512 cells
  const double rate = 0.005;
  const double p = 0.6;
  const DefectMap m = make_fault_model(stuck(rate, 0.8, StuckAtPattern::kWordLine, p))
                          ->draw(t, RandomStream(5, 0, "weight_stuck_at"))
                          .defects;
  const double cells = double(t.geometry.cells());
  // Overlapping runs and runs cut at the end of a row lose a little: within 5% of the rate.
  CHECK(std::abs(double(m.defective_cells()) / cells - rate) < 0.05 * rate);
  const int64_t row_cells = t.geometry.row_cells();
  int64_t pairs = 0, along = 0, across = 0;
  for (int64_t c = 0; c + row_cells < t.geometry.cells(); ++c) {
    if (!is_stuck(m, c) || (c + 1) % row_cells == 0) {
      continue;
    }
    ++pairs;
    along += is_stuck(m, c + 1);
    across += is_stuck(m, c + row_cells);
  }
  CHECK(std::abs(double(along) / double(pairs) - p) < 0.03);
  CHECK(double(across) / double(pairs) < 3 * rate);
}

TEST_CASE("bit-line clusters: defects continue down columns, not along rows", "[faults]") {
  const FaultTarget t = target(4000, 16, 8);
  const double rate = 0.005;
  const double p = 0.5;
  const DefectMap m = make_fault_model(stuck(rate, 0.8, StuckAtPattern::kBitLine, p))
                          ->draw(t, RandomStream(6, 0, "weight_stuck_at"))
                          .defects;
  CHECK(std::abs(double(m.defective_cells()) / double(t.geometry.cells()) - rate) < 0.05 * rate);
  const int64_t row_cells = t.geometry.row_cells();
  int64_t pairs = 0, down = 0, along = 0;
  for (int64_t c = 0; c + row_cells < t.geometry.cells(); ++c) {
    if (!is_stuck(m, c) || (c + 1) % row_cells == 0) {
      continue;
    }
    ++pairs;
    down += is_stuck(m, c + row_cells);
    along += is_stuck(m, c + 1);
  }
  CHECK(std::abs(double(down) / double(pairs) - p) < 0.03);
  CHECK(double(along) / double(pairs) < 3 * rate);
}

TEST_CASE("random flips: every stored bit flips with probability rate", "[faults]") {
  const FaultTarget t = target(1000, 128, 8);
  FaultModelSpec s;
  s.kind = FaultKind::kRandomFlips;
  s.rate = 1e-3;
  const FaultDraw d = make_fault_model(s)->draw(t, RandomStream(9, 0, "weight_flips"));
  CHECK(within_binomial(double(d.flips.size()), double(t.geometry.cells()), 1e-3));
  std::set<std::pair<int64_t, uint32_t>> distinct;
  for (const BitFlip& f : d.flips) {
    REQUIRE(__builtin_popcount(f.mask) == 1);
    distinct.insert({f.word, f.mask});
  }
  CHECK(distinct.size() == d.flips.size());
  s.layer = "fc";  // only the second half of the memory
  for (const BitFlip& f : make_fault_model(s)->draw(t, RandomStream(9, 0, "w")).flips) {
    REQUIRE(f.word >= t.layers[1].first_word);
  }
}

TEST_CASE("msb flips: words picked with probability rate, MSB only (000 worst case)", "[faults]") {
  const FaultTarget t = target(1000, 128, 8);
  FaultModelSpec s;
  s.kind = FaultKind::kMsbFlips;
  s.rate = 0.01;
  const FaultDraw d = make_fault_model(s)->draw(t, RandomStream(10, 0, "weight_flips"));
  CHECK(within_binomial(double(d.flips.size()), double(t.geometry.words()), 0.01));
  for (const BitFlip& f : d.flips) {
    REQUIRE(f.mask == 0x80u);
  }
}

TEST_CASE("targeted flips: exactly count distinct words in the chosen layer and bit (003)",
          "[faults]") {
  const FaultTarget t = target(100, 64, 8);
  FaultModelSpec s;
  s.kind = FaultKind::kTargetedFlips;
  s.count = 20;
  s.layer = "2";  // by index into the model's layer list: "fc"
  s.bit = 6;
  const FaultDraw d = make_fault_model(s)->draw(t, RandomStream(12, 0, "weight_flips"));
  REQUIRE(d.flips.size() == 20);
  std::set<int64_t> words;
  for (const BitFlip& f : d.flips) {
    CHECK(f.mask == 0x40u);
    CHECK(f.word >= t.layers[1].first_word);
    words.insert(f.word);
  }
  CHECK(words.size() == 20);
  // Random bit: uniform over the word's cells.
  s.bit = -1;
  s.layer = "";
  s.count = 3200;
  std::vector<int> per_bit(8, 0);
  for (const BitFlip& f : make_fault_model(s)->draw(t, RandomStream(13, 0, "f")).flips) {
    ++per_bit[size_t(__builtin_ctz(f.mask))];
  }
  for (const int n : per_bit) {
    CHECK(within_binomial(n, 3200, 1.0 / 8));
  }
}

TEST_CASE("fault models reject bad parameters and unknown layers", "[faults]") {
  CHECK_THROWS_AS(make_fault_model(stuck(1.5, 0.8, StuckAtPattern::kUniform, 0)), UserError);
  CHECK_THROWS_AS(make_fault_model(stuck(0.1, -0.1, StuckAtPattern::kUniform, 0)), UserError);
  CHECK_THROWS_AS(make_fault_model(stuck(0.1, 0.8, StuckAtPattern::kWordLine, 1.0)), UserError);
  const FaultTarget t = target(10, 8, 8);
  FaultModelSpec s;
  s.kind = FaultKind::kTargetedFlips;
  s.count = 1;
  s.layer = "fcc";
  CHECK_THROWS_WITH(make_fault_model(s)->draw(t, RandomStream(1, 0, "f")),
                    Catch::Contains("did you mean 'fc'"));
  s.layer = "1";
  CHECK_THROWS_WITH(make_fault_model(s)->draw(t, RandomStream(1, 0, "f")),
                    Catch::Contains("0 (conv1), 2 (fc)"));
  s.layer = "";
  s.bit = 8;
  CHECK_THROWS_WITH(make_fault_model(s)->draw(t, RandomStream(1, 0, "f")),
                    Catch::Contains("outside the 8-bit stored word"));
  s.bit = -1;
  s.count = 1000;
  CHECK_THROWS_WITH(make_fault_model(s)->draw(t, RandomStream(1, 0, "f")),
                    Catch::Contains("exceeds the 80 words"));
}

TEST_CASE("flips on stuck cells are masked: stuck bits win", "[faults]") {
  DefectMap m(BankGeometry{1, 1, 4, 8});
  m.add_stuck_cell(1, 0, true);
  std::vector<uint32_t> words = {0x00, 0x01, 0x10, 0x00};
  const int64_t effective = apply_flips(words, {{1, 0x01}, {2, 0x10}, {3, 0x80}}, &m);
  CHECK(effective == 2);
  CHECK(words == std::vector<uint32_t>{0x00, 0x01, 0x00, 0x80});
}

}  // namespace safsim
