// SplitMix64-based counter streams.
#include "base/random_stream.h"

#include <cmath>
#include <limits>

namespace safsim {
namespace {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;

}  // namespace

uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 31;
  return x;
}

uint64_t purpose_hash(std::string_view purpose) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (const char c : purpose) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ull;
  }
  return h;
}

RandomStream::RandomStream(uint64_t seed, uint64_t trial, std::string_view purpose) {
  // Each component goes through its own mix so (seed, trial) pairs never alias (a, b) vs (b, a).
  uint64_t k = mix64(seed + kGolden);
  k = mix64(k ^ mix64(trial + 2 * kGolden));
  k = mix64(k ^ purpose_hash(purpose));
  key_ = k;
}

RandomStream RandomStream::substream(uint64_t index) const {
  return RandomStream(mix64(key_ ^ mix64(index + 3 * kGolden)));
}

uint64_t RandomStream::u64_at(uint64_t index) const { return mix64(key_ + (index + 1) * kGolden); }

double RandomStream::uniform_at(uint64_t index) const {
  return static_cast<double>(u64_at(index) >> 11) * 0x1.0p-53;
}

uint64_t RandomStream::below(uint64_t n) {
  // Reject draws in the final partial copy of [0, n) so every residue is equally likely.
  const uint64_t limit =
      std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % n;
  uint64_t x = next_u64();
  while (x >= limit) {
    x = next_u64();
  }
  return x % n;
}

uint64_t RandomStream::geometric_gap(double p) {
  if (p >= 1.0) {
    return 0;
  }
  // Inversion: floor(log(U) / log(1 - p)) with U in (0, 1].
  const double u = 1.0 - uniform();
  const double g = std::floor(std::log(u) / std::log1p(-p));
  if (!(g < 1.8e19)) {
    return std::numeric_limits<uint64_t>::max();
  }
  return static_cast<uint64_t>(g);
}

}  // namespace safsim
