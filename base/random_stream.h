// Counter-based random streams: every draw is a pure function of (experiment seed, trial index,
// purpose, draw index), so results never depend on thread count or call order (docs/design.md,
// invariant 4).
#pragma once

#include <cstdint>
#include <string_view>

namespace safsim {

/// SplitMix64 finaliser: a bijective 64-bit mix with full avalanche.
uint64_t mix64(uint64_t x);

/// FNV-1a hash of a purpose name, so streams are keyed by readable strings.
uint64_t purpose_hash(std::string_view purpose);

/// A stream of 64-bit draws; draw i is mix64(key + (i + 1) * golden ratio), SplitMix64 over a
/// key derived from (seed, trial, purpose). Copying a stream copies its position.
///   RandomStream rng(cfg.seed, trial, "stuck_at_cells");
///   double u = rng.uniform();                  // next draw in [0, 1)
///   RandomStream layer = rng.substream(3);     // independent stream for layer 3
class RandomStream {
 public:
  RandomStream(uint64_t seed, uint64_t trial, std::string_view purpose);

  /// An independent stream keyed additionally by `index` (per layer, per image, ...).
  RandomStream substream(uint64_t index) const;

  /// The `index`-th draw, independent of the stream position (random access).
  uint64_t u64_at(uint64_t index) const;
  /// The `index`-th draw as a double in [0, 1) (53 random bits).
  double uniform_at(uint64_t index) const;

  uint64_t next_u64() { return u64_at(counter_++); }
  double uniform() { return uniform_at(counter_++); }
  /// Uniform integer in [0, n), n > 0, unbiased (rejection of the short tail).
  uint64_t below(uint64_t n);
  bool bernoulli(double p) { return uniform() < p; }
  /// Failures before the next success of a Bernoulli(p) sequence (geometric skip, p in (0, 1]);
  /// lets a generator visit only the faulty cells of a large memory.
  uint64_t geometric_gap(double p);

  uint64_t key() const { return key_; }
  uint64_t position() const { return counter_; }

 private:
  explicit RandomStream(uint64_t key) : key_(key) {}
  uint64_t key_;
  uint64_t counter_ = 0;
};

}  // namespace safsim
