// Transient bit flips scheduled at a cycle and an address of one of the cycle engine's memories
// (faults.scheduled_flips, docs/faults.md): when each lands, and whether the flipped value is
// read afterwards (effective) or overwritten / never read again (masked).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace safsim {

/// The modelled memory a scheduled flip lands in.
enum class FlipMemory : uint8_t {
  kNvm,    // a stored weight word (deployment address map, check bits included)
  kIfmap,  // an activation word (the input image, then every layer's output)
  kOfmap,  // a psum accumulator of the two ofmap/psum buffer halves
};
const char* to_string(FlipMemory m);

struct ScheduledFlip {
  uint64_t cycle = 0;  // the flip lands before every access of this cycle (docs/timing.md)
  FlipMemory memory = FlipMemory::kNvm;
  int64_t address = 0;  // word address in that memory
  int bit = 0;          // bit of the word
};

/// Parses "cycle:memory:address:bit" (memory: nvm, ifmap or ofmap), e.g. "1200:ifmap:37:6".
/// Throws ConfigError "<key>: ..." on bad syntax.
ScheduledFlip parse_scheduled_flip(const std::string& text, const std::string& key);
/// Parses every entry of faults.scheduled_flips (keys "faults.scheduled_flips[i]").
std::vector<ScheduledFlip> parse_scheduled_flips(const std::vector<std::string>& texts);

enum class FlipOutcome : uint8_t {
  kScheduled,  // its cycle has not been reached
  kPending,    // landed; the flipped value has been neither read nor overwritten yet
  kEffective,  // the flipped value was read
  kMasked,     // overwritten before any read, or never read again before the run ended
};
const char* to_string(FlipOutcome o);

/// One scheduled flip and what became of it.
struct FlipRecord {
  ScheduledFlip flip;
  FlipOutcome outcome = FlipOutcome::kScheduled;
  uint64_t decided_cycle = 0;  // cycle of the read (effective) or the overwrite / end (masked)
};

/// Counters of the scheduled flips (docs/design.md, "Statistics": injected, masked and observed
/// faults).
struct ScheduledFlipStats {
  uint64_t injected = 0;
  uint64_t effective = 0;
  uint64_t masked = 0;

  template <class F>
  void visit(F&& f) {
    f("injected", injected);
    f("effective", effective);
    f("masked", masked);
  }
};

/// Counts of the records' outcomes (injected = every record whose cycle was reached).
ScheduledFlipStats count_outcomes(const std::vector<FlipRecord>& records);

/// Lands the flips at their cycles through per-memory bit-flip functions and follows each one
/// until its value is read or overwritten. The owner of a memory's words registers how to flip
/// a bit and reports accesses while watching() is true (a cheap test on the hot path).
///   ScheduledFlipInjector inj(parse_scheduled_flips(cfg.faults.scheduled_flips));
///   inj.set_target(FlipMemory::kNvm, [&](int64_t a, int bit) { cells[a] ^= 1u << bit; });
///   inj.land_due(n);  ...  inj.on_read(FlipMemory::kNvm, address, n);  // at every read
class ScheduledFlipInjector {
 public:
  using FlipFn = std::function<void(int64_t address, int bit)>;

  explicit ScheduledFlipInjector(std::vector<ScheduledFlip> flips);

  void set_target(FlipMemory m, FlipFn flip);
  /// Lands every flip scheduled at or before `cycle` that has not landed yet.
  void land_due(uint64_t cycle) {
    if (next_ < order_.size() && records_[order_[next_]].flip.cycle <= cycle) {
      land(cycle);
    }
  }
  /// True while some flip in `m` waits for its value to be read or overwritten.
  bool watching(FlipMemory m) const { return pending_[static_cast<int>(m)] > 0; }

  void on_read(FlipMemory m, int64_t address, uint64_t cycle) {
    decide_if(m, FlipOutcome::kEffective, cycle, [address](int64_t a) { return a == address; });
  }
  void on_write(FlipMemory m, int64_t address, uint64_t cycle) {
    decide_if(m, FlipOutcome::kMasked, cycle, [address](int64_t a) { return a == address; });
  }
  /// Decides every pending flip of `m` whose address satisfies `hit` (a range access).
  template <class Hit>
  void decide_if(FlipMemory m, FlipOutcome outcome, uint64_t cycle, Hit&& hit) {
    if (!watching(m)) {
      return;
    }
    size_t kept = 0;
    for (size_t i = 0; i < pending_list_.size(); ++i) {
      FlipRecord& r = records_[pending_list_[i]];
      if (r.flip.memory == m && hit(r.flip.address)) {
        decide(r, outcome, cycle);
      } else {
        pending_list_[kept++] = pending_list_[i];
      }
    }
    pending_list_.resize(kept);
  }
  /// The run ended: flips still pending were never read again, they count as masked.
  void end_run(uint64_t cycle);

  /// In the order given to the constructor.
  const std::vector<FlipRecord>& records() const { return records_; }
  const ScheduledFlipStats& stats() const { return stats_; }

 private:
  void land(uint64_t cycle);
  void decide(FlipRecord& r, FlipOutcome outcome, uint64_t cycle);

  std::vector<FlipRecord> records_;
  std::vector<size_t> order_;         // records by cycle
  size_t next_ = 0;                   // next record (in order_) to land
  std::vector<size_t> pending_list_;  // records landed and not decided yet
  FlipFn targets_[3];
  int pending_[3] = {0, 0, 0};
  ScheduledFlipStats stats_;
};

}  // namespace safsim
