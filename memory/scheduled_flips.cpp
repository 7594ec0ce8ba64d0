// Scheduled flips: parsing "cycle:memory:address:bit", landing them, deciding their outcome.
#include "memory/scheduled_flips.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "base/errors.h"

namespace safsim {
namespace {

constexpr const char* kSyntax =
    "must be \"cycle:memory:address:bit\" with memory nvm, ifmap or ofmap";

bool parse_number(const std::string& text, uint64_t& out) {
  if (text.empty() || text.size() > 19 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  out = std::stoull(text);
  return true;
}

}  // namespace

const char* to_string(FlipMemory m) {
  switch (m) {
    case FlipMemory::kNvm:
      return "nvm";
    case FlipMemory::kIfmap:
      return "ifmap";
    case FlipMemory::kOfmap:
      return "ofmap";
  }
  return "?";
}

const char* to_string(FlipOutcome o) {
  switch (o) {
    case FlipOutcome::kScheduled:
      return "scheduled";
    case FlipOutcome::kPending:
      return "pending";
    case FlipOutcome::kEffective:
      return "effective";
    case FlipOutcome::kMasked:
      return "masked";
  }
  return "?";
}

ScheduledFlip parse_scheduled_flip(const std::string& text, const std::string& key) {
  std::vector<std::string> parts(1);
  for (char c : text) {
    if (c == ':') {
      parts.emplace_back();
    } else if (c != ' ') {
      parts.back() += c;
    }
  }
  uint64_t cycle = 0, address = 0, bit = 0;
  if (parts.size() != 4 || !parse_number(parts[0], cycle) || !parse_number(parts[2], address) ||
      !parse_number(parts[3], bit)) {
    throw ConfigError(fmt::format("{} {}, got '{}'", key, kSyntax, text));
  }
  ScheduledFlip f;
  f.cycle = cycle;
  f.address = static_cast<int64_t>(address);
  if (bit > 31) {
    throw ConfigError(fmt::format("{}: bit must be in [0, 31], got {} in '{}'", key, bit, text));
  }
  f.bit = static_cast<int>(bit);
  if (parts[1] == "nvm") {
    f.memory = FlipMemory::kNvm;
  } else if (parts[1] == "ifmap") {
    f.memory = FlipMemory::kIfmap;
  } else if (parts[1] == "ofmap") {
    f.memory = FlipMemory::kOfmap;
  } else {
    throw ConfigError(fmt::format("{}: memory must be one of nvm, ifmap, ofmap, got '{}' in '{}'",
                                  key, parts[1], text));
  }
  return f;
}

std::vector<ScheduledFlip> parse_scheduled_flips(const std::vector<std::string>& texts) {
  std::vector<ScheduledFlip> out;
  for (size_t i = 0; i < texts.size(); ++i) {
    out.push_back(parse_scheduled_flip(texts[i], fmt::format("faults.scheduled_flips[{}]", i)));
  }
  return out;
}

ScheduledFlipStats count_outcomes(const std::vector<FlipRecord>& records) {
  ScheduledFlipStats st;
  for (const FlipRecord& r : records) {
    st.injected += r.outcome != FlipOutcome::kScheduled ? 1 : 0;
    st.effective += r.outcome == FlipOutcome::kEffective ? 1 : 0;
    st.masked += r.outcome == FlipOutcome::kMasked ? 1 : 0;
  }
  return st;
}

ScheduledFlipInjector::ScheduledFlipInjector(std::vector<ScheduledFlip> flips) {
  for (const ScheduledFlip& f : flips) {
    records_.push_back(FlipRecord{f, FlipOutcome::kScheduled, 0});
  }
  order_.resize(records_.size());
  std::iota(order_.begin(), order_.end(), size_t{0});
  std::stable_sort(order_.begin(), order_.end(), [this](size_t a, size_t b) {
    return records_[a].flip.cycle < records_[b].flip.cycle;
  });
}

void ScheduledFlipInjector::set_target(FlipMemory m, FlipFn flip) {
  targets_[static_cast<int>(m)] = std::move(flip);
}

void ScheduledFlipInjector::land(uint64_t cycle) {
  while (next_ < order_.size() && records_[order_[next_]].flip.cycle <= cycle) {
    const size_t i = order_[next_++];
    pending_list_.push_back(i);
    FlipRecord& r = records_[i];
    const FlipFn& flip = targets_[static_cast<int>(r.flip.memory)];
    if (flip) {
      flip(r.flip.address, r.flip.bit);
    }
    r.outcome = FlipOutcome::kPending;
    ++pending_[static_cast<int>(r.flip.memory)];
    ++stats_.injected;
  }
}

void ScheduledFlipInjector::decide(FlipRecord& r, FlipOutcome outcome, uint64_t cycle) {
  r.outcome = outcome;
  r.decided_cycle = cycle;
  --pending_[static_cast<int>(r.flip.memory)];
  ++(outcome == FlipOutcome::kEffective ? stats_.effective : stats_.masked);
}

void ScheduledFlipInjector::end_run(uint64_t cycle) {
  for (size_t i : pending_list_) {
    decide(records_[i], FlipOutcome::kMasked, cycle);
  }
  pending_list_.clear();
}

}  // namespace safsim
