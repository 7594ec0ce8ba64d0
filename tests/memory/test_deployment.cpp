// deploy(): address map, stuck bits, schemes, March vs oracle, flips, stats, determinism.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>

#include "base/errors.h"
#include "base/random_stream.h"
#include "memory/deployment.h"
#include "memory/faulty_cell_array.h"
#include "memory/march_test.h"

namespace safsim {
namespace {

/// conv (16 x 27) -> pool -> fc (10 x 64): array layers 0 and 2, random in-range words.
QuantModel small_model(WordFormat fmt) {
  QuantModel qm;
  qm.weight_format = fmt;
  RandomStream rng(99, 0, "test_model");
  const auto layer = [&](const char* name, int o, int k) {
    QLayer l;
    l.name = name;
    l.out_channels = o;
    l.reduction = k;
    for (int i = 0; i < o * k; ++i) {
      if (fmt.is_float()) {  // max_value() is for integer formats only
        l.weight_words.push_back(fmt.from_float(float(rng.below(2001)) / 1000.0f - 1.0f));
        continue;
      }
      const auto span = uint64_t(fmt.max_value() - fmt.min_value() + 1);
      l.weight_words.push_back(fmt.to_word(fmt.min_value() + int32_t(rng.below(span))));
    }
    return l;
  };
  qm.layers.push_back(layer("conv1", 16, 27));
  QLayer pool;
  pool.name = "pool1";
  pool.kind = QOpKind::kMaxPool;
  qm.layers.push_back(pool);
  qm.layers.push_back(layer("fc", 10, 64));
  return qm;
}

FaultsConfig stuck_faults(double rate) {
  FaultsConfig f;
  f.weights.stuck_at.rate = rate;
  return f;
}

MitigationConfig scheme(MitigationScheme s) {
  MitigationConfig m;
  m.scheme = s;
  return m;
}

}  // namespace

TEST_CASE("fault-free deployment stores the quantized words", "[faults]") {
  const QuantModel qm = small_model({WeightFormat::kTwosComplement, 8});
  DeploymentStats st;
  const DeployedWeights d = deploy(qm, FaultsConfig(), MitigationConfig(), 1, 0, &st);
  const DeployedWeights ff = deploy_fault_free(qm);
  CHECK(d.stored == ff.stored);
  CHECK(st.weights == 16 * 27 + 10 * 64);
  CHECK(st.defective_cells == 0);
  CHECK(st.deviated_weights_after == 0);
  CHECK(d.stored[1].empty());
}

TEST_CASE("address map: layer by layer, row-major, SEC-DED groups padded", "[faults]") {
  const QuantModel qm = small_model({WeightFormat::kOffsetBinary, 8});
  const std::vector<LayerSpan> plain = weight_address_map(qm, 1);
  REQUIRE(plain.size() == 2);
  CHECK(plain[0].layer_index == 0);
  CHECK(plain[0].first_word == 0);
  CHECK(plain[0].words == 432);
  CHECK(plain[1].layer_index == 2);
  CHECK(plain[1].first_word == 432);
  const std::vector<LayerSpan> grouped = weight_address_map(qm, 5);
  CHECK(grouped[0].words == 435);  // 432 padded to whole groups of 5
  CHECK(grouped[1].first_word == 435);
}

TEST_CASE("every scheme: stored words obey the true map, stats match a recount", "[faults]") {
  for (const WeightFormat f : {WeightFormat::kOffsetBinary, WeightFormat::kTwosComplement}) {
    const QuantModel qm = small_model({f, 8});
    const FaultsConfig faults = stuck_faults(0.05);
    for (const auto& [name, s] : mitigation_scheme_names()) {
      INFO(name << " " << to_string(f));
      const MitigationConfig m = scheme(s);
      DeploymentStats st;
      const DeployedWeights d = deploy(qm, faults, m, 7, 0, &st);
      const DefectMap truth = deployment_defect_map(qm, faults, m, 7, 0);
      int64_t non_silent = 0;
      double dev_sum = 0;
      for (const LayerSpan& span : weight_address_map(qm, 1)) {
        const auto& words = d.stored[size_t(span.layer_index)];
        const std::vector<uint32_t> seen = d.read_path.decode_words(words);
        const QLayer& l = qm.layers[size_t(span.layer_index)];
        for (size_t i = 0; i < l.weight_words.size(); ++i) {
          const StuckBits t = truth.at(span.first_word + int64_t(i));
          REQUIRE((words[i] & t.mask) == t.values);
          dev_sum += std::abs(qm.weight_format.to_int(seen[i]) -
                              qm.weight_format.to_int(l.weight_words[i]));
          if (s != MitigationScheme::kSecded) {
            non_silent += __builtin_popcount(t.mask & (t.values ^ l.weight_words[i]));
          }
        }
      }
      CHECK(st.mean_abs_deviation_after == Approx(dev_sum / double(st.weights)));
      if (s != MitigationScheme::kSecded) {
        CHECK(st.non_silent_faults == non_silent);
        CHECK(st.mean_abs_deviation_before >= st.mean_abs_deviation_after - 1.0);
      }
      if (s == MitigationScheme::kOptimal || s == MitigationScheme::kAddSub) {
        CHECK(st.mean_abs_deviation_after <= st.mean_abs_deviation_before);
      }
      // Same (seed, trial) -> same deployment; another trial -> another defect map.
      CHECK(deploy(qm, faults, m, 7, 0, nullptr).stored == d.stored);
      CHECK(deploy(qm, faults, m, 7, 1, nullptr).stored != d.stored);
    }
  }
}

TEST_CASE("non-silent faults per weight follow 001 Table 3 (8-bit, 1%)", "[faults]") {
  QuantModel qm = small_model({WeightFormat::kOffsetBinary, 8});
  qm.layers[0].weight_words.resize(200000, 0x55);  // ~uniform bits: half the defects are silent
  for (size_t i = 0; i < qm.layers[0].weight_words.size(); ++i) {
    qm.layers[0].weight_words[i] = uint32_t(mix64(i) % 255);
  }
  DeploymentStats st;
  FaultsConfig f = stuck_faults(0.01);
  f.weights.stuck_at.sa1_fraction = 0.8;
  deploy(qm, f, MitigationConfig(), 3, 0, &st);
  // Each bit non-silent with p = 0.01 x 0.5: P(1) = 8 p (1-p)^7 ~ 3.86% (Table 3: 3.782%).
  const double p = 0.005;
  const double p1 = 8 * p * std::pow(1 - p, 7);
  const double n = double(st.weights);
  CHECK(std::abs(double(st.weights_with_1_non_silent) - n * p1) < 5 * std::sqrt(n * p1));
  CHECK(st.weights_with_2plus_non_silent < st.weights_with_1_non_silent / 20);
  CHECK(st.weights_with_2plus_non_silent > 0);
}

TEST_CASE("March C- discovers exactly the oracle stuck-at map", "[faults]") {
  FaultModelSpec s;
  s.rate = 0.02;
  FaultTarget t;
  t.geometry = {2, 64, 16, 9};
  const DefectMap oracle = make_fault_model(s)->draw(t, RandomStream(5, 0, "m")).defects;
  FaultyCellArray mem(oracle);
  const MarchResult r = run_march_c_minus(mem, oracle.geometry(), {4, 10});
  CHECK(r.discovered.same_defects(oracle));
  const int64_t n = oracle.words();
  CHECK(r.reads == 5 * n);
  CHECK(r.writes == 5 * n);
  CHECK(r.operations() == 10 * n);
  CHECK(r.cycles == uint64_t(5 * n * 4 + 5 * n * 10));
  CHECK(mem.reads() == r.reads);
}

TEST_CASE("deployment with the March-discovered map equals the oracle deployment", "[faults]") {
  const QuantModel qm = small_model({WeightFormat::kTwosComplement, 8});
  const FaultsConfig faults = stuck_faults(0.03);
  for (const MitigationScheme s : {MitigationScheme::kC1, MitigationScheme::kAddSub}) {
    MitigationConfig oracle = scheme(s);
    MitigationConfig march = scheme(s);
    march.defect_map = DefectMapSource::kMarch;
    DeploymentStats so, sm;
    const DeployedWeights a = deploy(qm, faults, oracle, 11, 0, &so);
    const DeployedWeights b = deploy(qm, faults, march, 11, 0, &sm, {std::nullopt, 4, 10, {}});
    CHECK(a.stored == b.stored);
    CHECK(sm.known_defective_cells == so.known_defective_cells);
    CHECK(sm.march_operations == 10 * sm.memory_words);
    CHECK(sm.march_cycles == uint64_t(5 * sm.memory_words * 14));
  }
}

TEST_CASE("weight flips: msb worst case, targeted in a layer, masked on stuck cells", "[faults]") {
  const QuantModel qm = small_model({WeightFormat::kTwosComplement, 8});
  FaultsConfig f;
  f.weights.bitflip.mode = FaultKind::kMsbFlips;
  f.weights.bitflip.rate = 1.0;
  DeploymentStats st;
  const DeployedWeights d = deploy(qm, f, MitigationConfig(), 1, 0, &st);
  for (size_t i = 0; i < qm.layers[2].weight_words.size(); ++i) {
    REQUIRE(d.stored[2][i] == (qm.layers[2].weight_words[i] ^ 0x80u));
  }
  CHECK(st.weight_flips_injected == st.weights);
  f.weights.bitflip.mode = FaultKind::kTargetedFlips;
  f.weights.bitflip.count = 5;
  f.weights.bitflip.layer = "fc";
  f.weights.bitflip.bit = 0;
  const DeployedWeights t = deploy(qm, f, MitigationConfig(), 1, 0, &st);
  CHECK(t.stored[0] == qm.layers[0].weight_words);
  int changed = 0;
  for (size_t i = 0; i < qm.layers[2].weight_words.size(); ++i) {
    changed += t.stored[2][i] != qm.layers[2].weight_words[i];
  }
  CHECK(changed == 5);
  // Stuck at every cell: no flip can change anything.
  f.weights.stuck_at.rate = 1.0;
  deploy(qm, f, MitigationConfig(), 1, 0, &st);
  CHECK(st.weight_flips_injected == 5);
  CHECK(st.weight_flips_effective == 0);
}

TEST_CASE("defect-map files drive deployment, misfits and bad combinations are errors",
          "[faults]") {
  const QuantModel qm = small_model({WeightFormat::kOffsetBinary, 8});
  const FaultsConfig drawn = stuck_faults(0.05);
  const MitigationConfig c1 = scheme(MitigationScheme::kC1);
  const std::string path = "test_deployment_map.txt";
  save_defect_map(deployment_defect_map(qm, drawn, c1, 21, 0), path);
  FaultsConfig from_file;
  from_file.weights.stuck_at.map_file = path;
  CHECK(deploy(qm, from_file, c1, 0, 0, nullptr).stored ==
        deploy(qm, drawn, c1, 21, 0, nullptr).stored);
  // SEC-DED stores 13-cell words: the 8-cell map does not fit.
  CHECK_THROWS_AS(deploy(qm, from_file, scheme(MitigationScheme::kSecded), 0, 0, nullptr),
                  DefectMapError);
  std::remove(path.c_str());
  CHECK_THROWS_WITH(deploy(qm, drawn, c1, 0, 0, nullptr, {BankGeometry{1, 4, 16, 8}, 1, 1, {}}),
                    Catch::Contains("the model needs 1072 weight words"));
  // secded_group_words applies to secded only, so a sweep over schemes can keep it set.
  MitigationConfig grouped_c1 = c1;
  grouped_c1.secded_group_words = 4;
  CHECK(deploy(qm, drawn, grouped_c1, 21, 0, nullptr).read_path.group_words == 1);
  MitigationConfig too_wide = scheme(MitigationScheme::kSecded);
  too_wide.secded_group_words = 9;  // 9 x 8 data bits > 64
  CHECK_THROWS_WITH(deploy(qm, drawn, too_wide, 0, 0, nullptr), Catch::Contains("64 data bits"));
  const QuantModel fp = small_model({WeightFormat::kFp32, 32});
  CHECK_THROWS_WITH(deploy(fp, drawn, c1, 0, 0, nullptr),
                    Catch::Contains("needs an integer weight format"));
}

TEST_CASE("SEC-DED groups: check bits counted in storage, single stuck cells corrected",
          "[faults]") {
  const QuantModel qm = small_model({WeightFormat::kTwosComplement, 8});
  MitigationConfig m = scheme(MitigationScheme::kSecded);
  m.secded_group_words = 8;
  DeploymentStats st;
  const DeployedWeights d = deploy(qm, stuck_faults(0.002), m, 4, 0, &st);
  CHECK(st.stored_words == 432 + 640);           // both layers are whole groups of 8
  CHECK(st.stored_bits == st.stored_words * 9);  // the (72, 64) code
  CHECK(d.read_path.group_words == 8);
  CHECK(st.secded_corrected_words > 0);
  CHECK(st.max_abs_deviation_after <= st.max_abs_deviation_before);
}

TEST_CASE("deviation histogram uses 001 Fig. 9 log2 bins", "[faults]") {
  CHECK(deviation_bin(1) == 0);
  CHECK(deviation_bin(2) == 1);
  CHECK(deviation_bin(3) == 1);
  CHECK(deviation_bin(128) == 7);
  DeploymentStats st;
  st.deviation_histogram_after[7] = 4;
  const std::string csv = deviation_csv(st);
  CHECK(csv.rfind("log2_bin,min_deviation,max_deviation,weights_before,weights_after\n", 0) == 0);
  CHECK(csv.find("\n7,128,255,0,4\n") != std::string::npos);
  int fields = 0;
  st.visit([&](const char*, const auto&) { ++fields; });
  CHECK(fields == 33);
}

}  // namespace safsim
