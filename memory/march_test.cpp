// March C- over the WordMemoryIf port.
#include "memory/march_test.h"

#include <stdexcept>

namespace safsim {
namespace {

/// One read-and-compare: record every cell that disagrees with `expected` as stuck at what it read.
void read_expect(WordMemoryIf& mem, int64_t a, uint32_t expected, MarchResult& r) {
  const uint32_t got = mem.read(a);
  ++r.reads;
  uint32_t bad = got ^ expected;
  while (bad != 0) {
    const int b = __builtin_ctz(bad);
    r.discovered.add_stuck_cell(a, b, (got >> b) & 1u);
    bad &= bad - 1;
  }
}

}  // namespace

MarchResult run_march_c_minus(WordMemoryIf& mem, const BankGeometry& geometry, MarchTiming t) {
  if (geometry.words() != mem.words() || geometry.word_bits != mem.word_bits()) {
    throw std::logic_error("March test geometry does not match the memory");
  }
  MarchResult r{DefectMap(geometry), 0, 0, 0};
  const int64_t n = mem.words();
  const uint32_t ones = mem.word_bits() >= 32 ? 0xFFFFFFFFu : (1u << mem.word_bits()) - 1u;
  const auto write = [&](int64_t a, uint32_t w) {
    mem.write(a, w);
    ++r.writes;
  };
  for (int64_t a = 0; a < n; ++a) {  // ⇕(w0)
    write(a, 0);
  }
  for (int64_t a = 0; a < n; ++a) {  // ⇑(r0, w1)
    read_expect(mem, a, 0, r);
    write(a, ones);
  }
  for (int64_t a = 0; a < n; ++a) {  // ⇑(r1, w0)
    read_expect(mem, a, ones, r);
    write(a, 0);
  }
  for (int64_t a = n; a-- > 0;) {  // ⇓(r0, w1)
    read_expect(mem, a, 0, r);
    write(a, ones);
  }
  for (int64_t a = n; a-- > 0;) {  // ⇓(r1, w0)
    read_expect(mem, a, ones, r);
    write(a, 0);
  }
  for (int64_t a = 0; a < n; ++a) {  // ⇕(r0)
    read_expect(mem, a, 0, r);
  }
  r.cycles = uint64_t(r.reads) * uint64_t(t.read_latency_cycles) +
             uint64_t(r.writes) * uint64_t(t.write_latency_cycles);
  return r;
}

}  // namespace safsim
