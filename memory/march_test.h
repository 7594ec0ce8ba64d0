// March C- (van de Goor): finds every stuck-at cell of a word memory with 10 N word operations,
// before deployment (001 §2.2 "offline testing"; issue 4 `mitigation.defect_map: march`).
#pragma once

#include <cstdint>

#include "memory/defect_map.h"
#include "memory/word_memory_if.h"

namespace safsim {

/// Access latencies used to turn the operation count into cycles.
struct MarchTiming {
  int read_latency_cycles = 1;
  int write_latency_cycles = 1;
};

struct MarchResult {
  DefectMap discovered;
  int64_t reads = 0;
  int64_t writes = 0;
  uint64_t cycles = 0;  // reads x read latency + writes x write latency (no overlap)

  int64_t operations() const { return reads + writes; }
};

/// Runs {⇕(w0); ⇑(r0,w1); ⇑(r1,w0); ⇓(r0,w1); ⇓(r1,w0); ⇕(r0)} with solid all-0 / all-1 words.
/// A cell that reads 1 when 0 was written is stuck at 1, and vice versa. `geometry` is the
/// memory's shape (recorded in the discovered map); it must match mem.words() and word_bits().
///   FaultyCellArray mem(oracle);
///   MarchResult r = run_march_c_minus(mem, oracle.geometry(), {});
///   // r.discovered == oracle (stuck-at faults), r.operations() == 10 * N
MarchResult run_march_c_minus(WordMemoryIf& mem, const BankGeometry& geometry, MarchTiming t);

}  // namespace safsim
