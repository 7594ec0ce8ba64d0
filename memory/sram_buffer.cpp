// Bank-conflict timing and access counting of an SRAM buffer.
#include "memory/sram_buffer.h"

#include <algorithm>

#include "base/trace.h"

namespace safsim {

SramBuffer::SramBuffer(const sc_core::sc_module_name& name, const SramConfig& cfg, bool ideal)
    : sc_core::sc_module(name),
      cfg_(cfg),
      ideal_(ideal),
      word_bytes_(static_cast<uint64_t>(std::max(1, cfg.word_bits / 8))) {}

int SramBuffer::read_run(uint64_t first_byte, uint64_t bytes, uint64_t cycle) {
  if (bytes == 0) {
    return 1;
  }
  const uint64_t w0 = first_byte / word_bytes_;
  const uint64_t w1 = (first_byte + bytes - 1) / word_bytes_;
  const uint64_t count = w1 - w0 + 1;
  stats_.reads += count;
  int cycles = 1;
  if (!ideal_) {
    // Consecutive words go to consecutive banks; the busiest bank serialises the access.
    const uint64_t banks = static_cast<uint64_t>(cfg_.banks);
    const uint64_t full = count / banks;
    const uint64_t extra = count % banks;
    const uint64_t busiest = full + (extra > 0 ? 1 : 0);
    cycles = static_cast<int>((busiest + cfg_.ports - 1) / cfg_.ports);
    stats_.conflict_cycles += cycles - 1;
  }
  if (tracer_ != nullptr && tracer_->in_window(cycle)) {
    shadow_.first_word = w0;
    shadow_.words = static_cast<uint32_t>(count);
    shadow_.cycles = static_cast<uint32_t>(cycles);
  }
  return cycles;
}

void SramBuffer::trace(Tracer& tracer) {
  const std::string me = name();
  tracer.add(shadow_.first_word, me + ".read_first_word");
  tracer.add(shadow_.words, me + ".read_words");
  tracer.add(shadow_.cycles, me + ".read_cycles");
  tracer_ = &tracer;
}

}  // namespace safsim
