// Read errors on the NVM weight bank (faults.weights.read_errors): a read senses the cells with
// the errors of its place in the image's stream, the read-path decoder sees them (SEC-DED
// corrects a single one in the codeword, its neighbours' cells included), the stored cells stay
// as written, and the wrong cells counted over many reads are ber of the bits read.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "memory/deployment.h"
#include "memory/nvm_weight_bank.h"
#include "tests/support/cycle_test_util.h"

using namespace safsim;

namespace {

struct BankSetup {
  QuantModel qm = test::quantized(test::conv_pool_model(31), 8);
  DeployedWeights w;
  FoldRequest fold;  // the largest array layer's first fold
  int group = 1;

  explicit BankSetup(MitigationScheme scheme = MitigationScheme::kNone, int group_words = 1)
      : group(group_words) {
    MitigationConfig m;
    m.scheme = scheme;
    m.secded_group_words = group_words;
    w = deploy(qm, FaultsConfig(), m, /*seed=*/1, /*trial=*/0, nullptr);
    for (size_t l = 0; l < qm.layers.size(); ++l) {
      const QLayer& q = qm.layers[l];
      if (q.kind == QOpKind::kArray &&
          q.reduction * q.out_channels > fold.rows_used * fold.cols_used) {
        fold = FoldRequest{int(l), 0, std::min(q.reduction, 16), 0, std::min(q.out_channels, 16)};
      }
    }
  }
  int k_count() const { return qm.layers[size_t(fold.layer)].reduction; }
  /// Layer-relative address of staging row r, column c (NvmWeightBank's address map).
  size_t address(int r, int c) const { return size_t((fold.o0 + c) * k_count() + fold.k0 + r); }
  const std::vector<uint32_t>& stored() const { return w.stored[size_t(fold.layer)]; }
  /// What the decoder delivers for (r, c) when the cells of its codeword group read as `sensed`
  /// (the layer's stored words, some of them changed).
  int32_t decoded(const std::vector<uint32_t>& sensed, int r, int c) const {
    return w.read_path.format.to_int(w.read_path.decode_words(sensed)[address(r, c)]);
  }
};

ReadErrorConfig with_ber(double ber) {
  ReadErrorConfig c;
  c.ber = ber;
  return c;
}

}  // namespace

TEST_CASE("with ber 1 a read delivers the inverted stored word while the cells keep theirs",
          "[cycle][faults][read_errors]") {
  const BankSetup s;
  NvmWeightBank bank("nvm", s.qm, s.w, test::array_config(16, 16).nvm, true, 16, 16);
  bank.set_read_errors(ReadErrors(with_ber(1.0), 1));
  bank.begin_image(0, false);
  bank.fetch_fold(s.fold, 0);
  const uint32_t cells = (1u << bank.word_bits()) - 1u;
  std::vector<uint32_t> inverted = s.stored();
  for (uint32_t& word : inverted) {
    word ^= cells;
  }
  for (int r = 0; r < s.fold.rows_used; ++r) {
    for (int c = 0; c < s.fold.cols_used; ++c) {
      CHECK(bank.vector_int(r)[c] == s.decoded(inverted, r, c));
      CHECK(bank.vector_int(r)[c] != s.decoded(s.stored(), r, c));  // ~w != w in 8 bits
    }
  }
  CHECK(bank.stats().read_error_bits == bank.stats().bits_read);
  CHECK(bank.stats().bits_read == uint64_t(s.fold.rows_used * s.fold.cols_used * 8));
  int64_t address = 0;  // the cell port, over every layer's words: as written
  for (const std::vector<uint32_t>& layer : s.w.stored) {
    for (const uint32_t word : layer) {
      CHECK(bank.read(address++) == word);
    }
  }
  // ber 0 from the next image on: the stored words again, at no cost.
  bank.set_read_errors(ReadErrors());
  bank.begin_image(1, false);
  bank.fetch_fold(s.fold, 1);
  for (int r = 0; r < s.fold.rows_used; ++r) {
    for (int c = 0; c < s.fold.cols_used; ++c) {
      CHECK(bank.vector_int(r)[c] == s.decoded(s.stored(), r, c));
    }
  }
  CHECK(bank.stats().read_error_bits == bank.stats().bits_read / 2);
}

TEST_CASE("SEC-DED corrects a single read error in the codeword including a neighbour word's",
          "[cycle][faults][read_errors][secded]") {
  for (const int group : {1, 4}) {
    const BankSetup s(MitigationScheme::kSecded, group);
    NvmWeightBank bank(("nvm_g" + std::to_string(group)).c_str(), s.qm, s.w,
                       test::array_config(16, 16).nvm, true, 16, 16);
    const ReadErrors errors(with_ber(0.02), 5);
    bank.set_read_errors(errors);
    // The same stream beside the bank: the wrong cells of each read, in the bank's read order
    // (rows from the last, as the array is loaded; each read senses its whole group).
    ReadErrors replica = errors;
    int single = 0, double_or_more = 0;
    for (int64_t image = 0; image < 30; ++image) {
      bank.begin_image(image, false);
      replica.begin_image(image, false);
      bank.fetch_fold(s.fold, uint64_t(image));
      for (int r = s.fold.rows_used - 1; r >= 0; --r) {
        for (int c = 0; c < s.fold.cols_used; ++c) {
          const size_t a = s.address(r, c);
          const size_t first = a / size_t(group) * size_t(group);
          std::vector<uint32_t> sensed = s.stored();
          int wrong = 0;
          for (size_t j = first; j < first + size_t(group); ++j) {
            const uint32_t m = replica.sense(bank.word_bits());
            sensed[j] ^= m;
            wrong += __builtin_popcount(m);
          }
          INFO("group " << group << " image " << image << " row " << r << " col " << c);
          CHECK(bank.vector_int(r)[c] == s.decoded(sensed, r, c));
          if (wrong == 1) {
            ++single;
            CHECK(bank.vector_int(r)[c] == s.decoded(s.stored(), r, c));
          } else if (wrong >= 2) {
            ++double_or_more;
          }
        }
      }
    }
    INFO("group " << group);
    CHECK(single > 50);
    CHECK(double_or_more > 0);
    CHECK(bank.stats().read_error_bits > 0);
  }
}

TEST_CASE("the read errors counted over many reads are ber of the bits read",
          "[cycle][faults][read_errors]") {
  const BankSetup s;
  NvmWeightBank bank("nvm", s.qm, s.w, test::array_config(16, 16).nvm, true, 16, 16);
  const double ber = 1e-3;
  bank.set_read_errors(ReadErrors(with_ber(ber), 9));
  for (int64_t image = 0; image < 4000; ++image) {
    bank.begin_image(image, image % 2 == 1);  // self-test images too
    bank.fetch_fold(s.fold, uint64_t(image));
  }
  const NvmStats& st = bank.stats();
  const double expected = ber * double(st.bits_read);
  INFO(st.read_error_bits << " wrong cells in " << st.bits_read << " bits read");
  REQUIRE(expected > 500);
  CHECK(std::abs(double(st.read_error_bits) - expected) < 5 * std::sqrt(expected));
}
