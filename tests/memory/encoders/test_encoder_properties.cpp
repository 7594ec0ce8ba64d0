// Property tests of every encoder and read-path decoder over random words and defect maps, for
// Q = 2..16 and both integer formats, against brute force over every word the cells can hold.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <utility>
#include <vector>

#include "base/random_stream.h"
#include "memory/defect_map.h"
#include "memory/encoders/encoder.h"
#include "memory/encoders/secded.h"
#include "memory/encoders/word_code.h"
#include "memory/read_path_decoder.h"

namespace safsim {
namespace {

const MitigationScheme kPerWordSchemes[] = {
    MitigationScheme::kNone, MitigationScheme::kAddSub,  MitigationScheme::kLsb,
    MitigationScheme::kC1,   MitigationScheme::kOptimal, MitigationScheme::kOptimalFlip};

struct Case {
  WordFormat fmt;
  int32_t value;
  StuckBits stuck;
};

/// Random in-range value and a random stuck pattern whose density varies from case to case.
Case random_case(RandomStream& rng, WordFormat fmt) {
  Case c{fmt, 0, {}};
  c.value = fmt.min_value() + int32_t(rng.below(uint64_t(fmt.max_value() - fmt.min_value() + 1)));
  const double density = rng.uniform() * 0.6;
  for (int b = 0; b < fmt.bits; ++b) {
    if (rng.bernoulli(density)) {
      c.stuck.mask |= 1u << b;
      if (rng.bernoulli(0.5)) {
        c.stuck.values |= 1u << b;
      }
    }
  }
  return c;
}

int32_t seen(MitigationScheme s, const Case& c, uint32_t* stored_out = nullptr) {
  const uint32_t written = encode_word(s, c.fmt, c.fmt.to_word(c.value), c.stuck);
  const uint32_t stored = apply_stuck_bits(written, c.stuck);
  if (stored_out) {
    *stored_out = stored;
  }
  return c.fmt.to_int(decode_read_path(s, c.fmt, stored));
}

/// Best value over every word the cells can hold, decoded by `decode` (ties as the encoders).
template <class Decode>
int32_t brute_force(const Case& c, Decode decode) {
  bool any = false;
  int32_t best = 0;
  for (uint32_t w = 0; w <= c.fmt.mask(); ++w) {
    if ((w & c.stuck.mask) != (c.stuck.values & c.stuck.mask)) {
      continue;
    }
    const int32_t v = c.fmt.to_int(decode(c.fmt, w));
    if (!any || better_approximation(c.value, v, best)) {
      best = v;
      any = true;
    }
  }
  return best;
}

std::vector<WordFormat> all_integer_formats() {
  std::vector<WordFormat> f;
  for (int q = 2; q <= 16; ++q) {
    f.push_back({WeightFormat::kOffsetBinary, q});
    f.push_back({WeightFormat::kTwosComplement, q});
  }
  return f;
}

}  // namespace

TEST_CASE("every scheme's stored word respects every stuck bit", "[encoders]") {
  RandomStream rng(1, 0, "test_stuck_respected");
  for (const WordFormat& fmt : all_integer_formats()) {
    for (int i = 0; i < 400; ++i) {
      const Case c = random_case(rng, fmt);
      for (const MitigationScheme s : kPerWordSchemes) {
        const uint32_t written = encode_word(s, fmt, fmt.to_word(c.value), c.stuck);
        const uint32_t stored = apply_stuck_bits(written, c.stuck);
        INFO(to_string(s) << " Q=" << fmt.bits << " value " << c.value);
        REQUIRE((stored & c.stuck.mask) == c.stuck.values);
        REQUIRE((written & ~fmt.mask()) == 0);
        if (s != MitigationScheme::kNone) {
          REQUIRE(written == stored);  // defect-aware encoders write what the cells will hold
        }
      }
    }
  }
}

TEST_CASE("decode(stored) is what the engines' ReadPath delivers", "[encoders]") {
  RandomStream rng(2, 0, "test_read_path");
  for (const WordFormat& fmt : all_integer_formats()) {
    for (const MitigationScheme s : kPerWordSchemes) {
      const ReadPath rp{s, fmt};
      std::vector<uint32_t> words(64);
      for (uint32_t& w : words) {
        w = uint32_t(rng.next_u64()) & fmt.mask();
      }
      const std::vector<uint32_t> layer = rp.decode_words(words);
      for (size_t i = 0; i < words.size(); ++i) {
        REQUIRE(layer[i] == decode_read_path(s, fmt, words[i]));
        REQUIRE(rp.decode_int(words[i]) == fmt.to_int(layer[i]));
      }
    }
  }
}

TEST_CASE("optimal equals brute force and is never worse than none or addsub", "[encoders]") {
  RandomStream rng(3, 0, "test_optimal");
  for (const WordFormat& fmt : all_integer_formats()) {
    const int cases = fmt.bits <= 10 ? 300 : 40;
    for (int i = 0; i < cases; ++i) {
      const Case c = random_case(rng, fmt);
      const int32_t opt = seen(MitigationScheme::kOptimal, c);
      INFO("Q=" << fmt.bits << " " << to_string(fmt.format) << " value " << c.value << " mask "
                << c.stuck.mask << " values " << c.stuck.values);
      REQUIRE(opt == brute_force(c, decode_none));
      const int32_t dev = std::abs(opt - c.value);
      REQUIRE(dev <= std::abs(seen(MitigationScheme::kNone, c) - c.value));
      REQUIRE(dev <= std::abs(seen(MitigationScheme::kAddSub, c) - c.value));
    }
  }
}

TEST_CASE("optimal_flip equals brute force over C-1 words and is never worse than c1",
          "[encoders]") {
  RandomStream rng(4, 0, "test_optimal_flip");
  for (const WordFormat& fmt : all_integer_formats()) {
    const int cases = fmt.bits <= 10 ? 300 : 40;
    for (int i = 0; i < cases; ++i) {
      const Case c = random_case(rng, fmt);
      const int32_t opt = seen(MitigationScheme::kOptimalFlip, c);
      INFO("Q=" << fmt.bits << " " << to_string(fmt.format) << " value " << c.value << " mask "
                << c.stuck.mask << " values " << c.stuck.values);
      REQUIRE(opt == brute_force(c, decode_c1));
      REQUIRE(std::abs(opt - c.value) <= std::abs(seen(MitigationScheme::kC1, c) - c.value));
    }
  }
}

TEST_CASE("Add/Sub is never worse than storing the word as is", "[encoders]") {
  RandomStream rng(5, 0, "test_addsub_vs_none");
  for (const WordFormat& fmt : all_integer_formats()) {
    for (int i = 0; i < 300; ++i) {
      const Case c = random_case(rng, fmt);
      REQUIRE(std::abs(seen(MitigationScheme::kAddSub, c) - c.value) <=
              std::abs(seen(MitigationScheme::kNone, c) - c.value));
    }
  }
}

TEST_CASE("defect-free words: none and addsub exact, lsb clears b0, c1 toggles b0 of odd words",
          "[encoders]") {
  for (const WordFormat& fmt : all_integer_formats()) {
    for (int32_t v = fmt.min_value(); v <= fmt.max_value(); ++v) {
      const Case c{fmt, v, {}};
      const uint32_t w = fmt.to_word(v);
      REQUIRE(seen(MitigationScheme::kNone, c) == v);
      REQUIRE(seen(MitigationScheme::kAddSub, c) == v);
      REQUIRE(seen(MitigationScheme::kOptimal, c) == v);
      // Under C-1 decoding an odd-Q word reaches the PE with even parity only, so odd-parity
      // values are 1 away; for even Q, inverting an odd word keeps it odd and every value is exact.
      const int32_t flip_dev = (fmt.bits % 2 == 1 && parity(w)) ? 1 : 0;
      REQUIRE(std::abs(seen(MitigationScheme::kOptimalFlip, c) - v) == flip_dev);
      // 001 §3.2.1: the LSB is the flag, so the PE sees the word with b0 = 0.
      REQUIRE(seen(MitigationScheme::kLsb, c) == fmt.to_int(w & ~1u));
      // 001 §3.2.2: an odd count of ones is fixed by flipping the rightmost bit b0.
      REQUIRE(seen(MitigationScheme::kC1, c) == fmt.to_int(parity(w) ? w ^ 1u : w));
    }
  }
}

TEST_CASE("the LSB read path always delivers b0 = 0", "[encoders]") {
  const WordFormat fmt{WeightFormat::kTwosComplement, 8};
  for (uint32_t w = 0; w < 256; ++w) {
    REQUIRE((decode_lsb(fmt, w) & 1u) == 0);
    REQUIRE(decode_c1(fmt, w) == (parity(w) ? w ^ 0xFFu : w));
  }
}

TEST_CASE("flip schemes silence a single stuck MSB exactly up to the flag", "[encoders]") {
  // 001 Fig. 9: flipping removes the large MSB deviations. One non-silent stuck MSB costs C-1 at
  // most 1 and LSB at most 1 (the flag bit), whatever the value.
  for (const WeightFormat f : {WeightFormat::kOffsetBinary, WeightFormat::kTwosComplement}) {
    const WordFormat fmt{f, 8};
    for (int32_t v = fmt.min_value(); v <= fmt.max_value(); ++v) {
      for (uint32_t sv = 0; sv < 2; ++sv) {
        const Case c{fmt, v, {0x80u, sv << 7}};
        REQUIRE(std::abs(seen(MitigationScheme::kC1, c) - v) <= 1);
        REQUIRE(std::abs(seen(MitigationScheme::kLsb, c) - v) <= 1);
      }
    }
  }
}

TEST_CASE("SEC-DED corrects any single error and detects any double error", "[encoders]") {
  RandomStream rng(6, 0, "test_secded");
  for (const int q : {2, 4, 8, 13, 16}) {
    for (const int g : {1, 2, 4}) {
      if (q * g > 64) {
        continue;
      }
      const int cells = secded_word_bits(q, g);
      for (int t = 0; t < 50; ++t) {
        const auto n = static_cast<size_t>(g);
        std::vector<uint32_t> data(n), stored(n), out(n);
        for (uint32_t& d : data) {
          d = uint32_t(rng.next_u64()) & ((1u << q) - 1u);
        }
        secded_encode_group(q, data.data(), g, stored.data());
        REQUIRE(secded_decode_group(q, stored.data(), g, out.data()) == SecdedStatus::kClean);
        REQUIRE(out == data);
        // Cells that carry code bits: the data bits of every word and the r + 1 check bits
        // (slices may round up to a few unused cells, which the code does not see).
        const int check = SecdedCode(q * g).check_bits();
        const int slice = cells - q;
        std::vector<std::pair<size_t, int>> used;
        for (int j = 0; j < g; ++j) {
          for (int b = 0; b < cells; ++b) {
            if (b < q || j * slice + (b - q) < check) {
              used.emplace_back(size_t(j), b);
            }
          }
        }
        const uint64_t e1 = rng.below(used.size());
        uint64_t e2 = rng.below(used.size() - 1);
        e2 += e2 >= e1 ? 1 : 0;
        std::vector<uint32_t> one = stored;
        one[used[e1].first] ^= 1u << used[e1].second;
        REQUIRE(secded_decode_group(q, one.data(), g, out.data()) == SecdedStatus::kCorrected);
        REQUIRE(out == data);
        one[used[e2].first] ^= 1u << used[e2].second;
        const SecdedStatus s2 = secded_decode_group(q, one.data(), g, out.data());
        REQUIRE(s2 == SecdedStatus::kDetected);
      }
    }
  }
}

TEST_CASE("decoder gate counts follow 001 §3.3", "[encoders]") {
  const WordFormat q8{WeightFormat::kOffsetBinary, 8};
  CHECK(decoder_cost(MitigationScheme::kNone, q8).xor2_gates == 0);
  CHECK(decoder_cost(MitigationScheme::kAddSub, q8).xor2_gates == 0);
  CHECK(decoder_cost(MitigationScheme::kLsb, q8).xor2_gates == 7);
  CHECK(decoder_cost(MitigationScheme::kC1, q8).xor2_gates == 15);
  CHECK(decoder_cost(MitigationScheme::kOptimalFlip, q8).xor2_gates == 15);
  // (13, 8) SEC-DED: syndrome 5+5+4+4, overall parity 12, correction 8.
  const DecoderCost s = decoder_cost(MitigationScheme::kSecded, q8);
  CHECK(s.xor2_gates == 38);
  CHECK(s.stored_bits_per_word == 13);
  CHECK(decoder_cost(MitigationScheme::kSecded, q8, 8).stored_bits_per_word == 9);  // (72, 64)
  CHECK(decoder_cost(MitigationScheme::kSecded, {WeightFormat::kOffsetBinary, 16}, 4)
            .stored_bits_per_word == 18);
}

}  // namespace safsim
