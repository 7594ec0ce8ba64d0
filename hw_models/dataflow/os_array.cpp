// The output-stationary array's clocked process: edge skew, operand shift, MACs into the PEs'
// own accumulators, and the column output buses.
#include "hw_models/dataflow/os_array.h"

#include <algorithm>
#include <cstring>

#include "base/trace.h"

namespace safsim {
namespace {

constexpr uint8_t kValid = 1, kFirst = 2, kLast = 4;

}  // namespace

/// V: operand type (int32 codes or fp32), P: accumulator type (int64 or fp32).
template <class V, class P>
struct OsArray::Core {
  int rows, cols, ring;  // ring = R + C: steps whose operands are still in flight
  std::vector<V> x[2];   // input registers, current / next (move right)
  int cur = 0;
  std::vector<P> acc;   // each PE's output register (stationary)
  std::vector<V> left;  // R slots x R lanes: step m's inputs; lane r enters row r at m + r
  std::vector<uint8_t> left_dirty;
  // kValid | kFirst | kLast of the step issued at posedge m, at m % ring and m % ring + ring:
  // PE(r, c) at posedge n holds step n - r - c, so one row's C steps are one contiguous run.
  std::vector<uint8_t> step_flags;
  std::vector<V> weights;  // C slots x C lanes: step m's weights; lane c enters column c at m + c
  std::vector<uint8_t> weights_dirty;
  std::vector<V> top;  // R slots x C: the weights entering row 0 at posedge n (slot n % R); the
                       // weight registers of row r at posedge n are slot (n - r) % R
  std::vector<OsStep> steps;
  // Pixels and channels of the step issued at posedge m, at m % ring (0 for a bubble): lanes
  // past them carry zero operands, so a PE whose step does not use it multiplies by zero.
  std::vector<int> step_rows, step_cols;
  // Fold-first and fold-last steps issued up to posedge m, at m % ring: a row's C steps hold
  // one iff the counts at its run's two ends differ (no scan of the run's flags).
  std::vector<uint32_t> firsts, lasts;
  bool pending = false;
  OsStep step;
  std::vector<V> step_x, step_w;

  Core(int r, int c) : rows(r), cols(c), ring(r + c) {
    const size_t n = size_t(r) * c;
    for (int b = 0; b < 2; ++b) {
      x[b].assign(n, V{});
    }
    acc.assign(n, P{});
    left.assign(size_t(r) * r, V{});
    step_flags.assign(2 * size_t(ring), 0);
    left_dirty.assign(r, 0);
    weights.assign(size_t(c) * c, V{});
    weights_dirty.assign(c, 0);
    top.assign(n, V{});
    steps.assign(ring, OsStep{});
    step_rows.assign(ring, 0);
    step_cols.assign(ring, 0);
    firsts.assign(ring, 0);
    lasts.assign(ring, 0);
    step_x.assign(r, V{});
    step_w.assign(c, V{});
  }

  // After a quiet stretch (posedges skipped) the edge slots may hold operands that were never
  // shifted out; the registers are clear again before the next step enters.
  void wake() {
    for (std::vector<V>* v : {&left, &weights, &top, &x[0], &x[1]}) {
      std::fill(v->begin(), v->end(), V{});
    }
    for (std::vector<uint8_t>* v : {&step_flags, &left_dirty, &weights_dirty}) {
      std::fill(v->begin(), v->end(), uint8_t{0});
    }
    std::fill(step_rows.begin(), step_rows.end(), 0);
    std::fill(step_cols.begin(), step_cols.end(), 0);
    std::fill(firsts.begin(), firsts.end(), 0u);
    std::fill(lasts.begin(), lasts.end(), 0u);
  }

  // Latches the schedule's step (or a bubble of zeros) into the edge slots of posedge n.
  void latch(uint64_t n) {
    const int ls = static_cast<int>(n % rows), ws = static_cast<int>(n % cols);
    V* l = &left[size_t(ls) * rows];
    V* w = &weights[size_t(ws) * cols];
    if (pending) {
      std::copy(step_x.begin(), step_x.end(), l);
      std::copy(step_w.begin(), step_w.end(), w);
      set_flags(n, kValid | (step.first ? kFirst : 0) | (step.last ? kLast : 0));
      left_dirty[ls] = weights_dirty[ws] = 1;
      steps[n % ring] = step;
      step_rows[n % ring] = step.pixels;
      step_cols[n % ring] = step.channels;
    } else {
      step_rows[n % ring] = step_cols[n % ring] = 0;
      if (left_dirty[ls] != 0) {
        std::fill(l, l + rows, V{});
        left_dirty[ls] = 0;
      }
      if (weights_dirty[ws] != 0) {
        std::fill(w, w + cols, V{});
        weights_dirty[ws] = 0;
      }
      set_flags(n, 0);
    }
    pending = false;
    // Column c's top edge carries lane c of the step issued c posedges ago (slot (n - c) % C).
    V* __restrict t = &top[(n % rows) * cols];
    const V* __restrict wv = weights.data();
    const int now = ws;
    for (int c = 0; c <= now; ++c) {
      t[c] = wv[size_t(now - c) * cols + c];
    }
    for (int c = now + 1; c < cols; ++c) {
      t[c] = wv[size_t(now - c + cols) * cols + c];
    }
  }

  void set_flags(uint64_t n, uint8_t f) {
    const size_t i = n % ring, before = (i + ring - 1) % ring;
    step_flags[i] = step_flags[i + ring] = f;
    firsts[i] = firsts[before] + ((f & kFirst) != 0 ? 1 : 0);
    lasts[i] = lasts[before] + ((f & kLast) != 0 ? 1 : 0);
  }

  // kFirst | kLast of the steps row r's PEs hold: steps (m - C, m] with m = n - r at ring
  // index `newest` (the counts are modular, so unsigned differences stay right).
  uint8_t row_any(int newest) const {
    const int oldest = (newest + ring - cols) % ring;
    return uint8_t((firsts[newest] != firsts[oldest] ? kFirst : 0) |
                   (lasts[newest] != lasts[oldest] ? kLast : 0));
  }

  // The flags of the C steps row r's PEs hold at posedge n: PE c's is run[C - 1 - c].
  const uint8_t* row_flags(uint64_t n, int r) const {
    return &step_flags[(n + 2 * ring - r - (cols - 1)) % ring];
  }

  // The PEs that may multiply a non-zero pair at posedge n: rows [0, rows) x columns [0, cols)
  // of the pixels and channels of the steps in flight (PE(r, c) holds step n - r - c, and every
  // lane of a step past its pixels or channels is zero). Integer formats only: acc + 0 * x is
  // acc there, while a float -0 or infinity would not stay bit for bit the same.
  void live_extent(int& live_rows, int& live_cols) const {
    live_rows = rows;
    live_cols = cols;
    if constexpr (!std::is_same_v<P, float>) {
      int lr = 0, lc = 0;
      for (int i = 0; i < ring; ++i) {
        lr = std::max(lr, step_rows[i]);
        lc = std::max(lc, step_cols[i]);
      }
      live_rows = std::min(lr, rows);
      live_cols = std::min(lc, cols);
    }
  }

  // Row r at posedge n: inputs shift right by one PE, PEs [0, mac_cols) multiply their pairs
  // (the others' products are zero). The MACs read the inputs from the current registers (PE c
  // takes PE c-1's), not from the copy just written for the next posedge: a vector load of
  // freshly stored bytes would wait for them.
  // `slot`: (n - r) % R, `newest`: (n - r) % ring, stepped down row by row by the caller (a
  // division per row cost more than the row's flags).
  bool step_row(uint64_t n, int r, int slot, int newest, int mac_cols) {
    const int nxt = cur ^ 1;
    const size_t base = size_t(r) * cols;
    const V x0 = left[size_t(slot) * rows + r];
    const V* __restrict xc = &x[cur][base];
    V* xn = &x[nxt][base];
    xn[0] = x0;
    std::memcpy(xn + 1, xc, sizeof(V) * (cols - 1));
    const V* __restrict w = &top[size_t(slot) * cols];
    P* __restrict a = &acc[base];
    // A fold's first and last steps are rare: find them from the counts, so the MAC loop
    // itself is branch-free and vectorizes.
    const uint8_t any = row_any(newest);
    if ((any & kFirst) != 0) {
      const uint8_t* __restrict run = row_flags(n, r);
      for (int c = 0; c < cols; ++c) {
        a[c] = (run[cols - 1 - c] & kFirst) != 0 ? P{} : a[c];
      }
    }
    if (mac_cols > 0) {
      a[0] = mac(a[0], w[0], x0);
    }
    for (int c = 1; c < mac_cols; ++c) {
      a[c] = mac(a[c], w[c], xc[c - 1]);
    }
    return (any & kLast) != 0;
  }

  static P mac(P acc_in, V wt, V xv) {
    if constexpr (std::is_same_v<P, float>) {
      return pe_mac_float(acc_in, wt, xv);
    } else {
      return pe_mac(acc_in, wt, xv);
    }
  }

  // The PEs of row r that took their fold's last step put their outputs on the column buses.
  void drain_row(uint64_t n, int r, int accumulator_bits, PsumWatcher* watcher) {
    const size_t base = size_t(r) * cols;
    const uint8_t* run = row_flags(n, r);
    for (int c = 0; c < cols; ++c) {
      if ((run[cols - 1 - c] & kLast) == 0) {
        continue;
      }
      const OsStep& s = steps[(n + ring - r - c) % ring];
      if (r >= s.pixels || c >= s.channels) {
        continue;
      }
      const size_t e = base + c;
      if (watcher != nullptr) {
        watcher->on_psum_access(s.acc != nullptr ? static_cast<const void*>(s.acc + e)
                                                 : static_cast<const void*>(s.acc_float + e),
                                true, n);
      }
      if constexpr (std::is_same_v<P, float>) {
        s.acc_float[e] = acc[e];
      } else {
        s.acc[e] = accumulate_psum(0, acc[e], true, accumulator_bits);
      }
    }
  }

  PeState state(uint64_t last_posedge, int r, int c) const {
    const size_t i = size_t(r) * cols + c;
    const V w = top[((last_posedge + rows - r) % rows) * cols + c];
    PeState s;
    if constexpr (std::is_same_v<V, float>) {
      s.weight = fp32_bits(w);
      s.input = fp32_bits(x[cur][i]);
      s.psum = fp32_bits(acc[i]);
    } else {
      s.weight = w;
      s.input = x[cur][i];
      s.psum = acc[i];
    }
    s.valid = (step_flags[(last_posedge + 2 * ring - r - c) % ring] & kValid) != 0;
    return s;
  }
};

struct OsArray::IntCore : Core<int32_t, int64_t> {
  using Core::Core;
};
struct OsArray::FloatCore : Core<float, float> {
  using Core::Core;
};

OsArray::OsArray(const sc_core::sc_module_name& name, int rows, int cols, bool is_float,
                 int accumulator_bits)
    : PeArray(name, rows, cols), is_float_(is_float), accumulator_bits_(accumulator_bits) {
  if (is_float_) {
    float_core_ = std::make_unique<FloatCore>(rows, cols);
  } else {
    int_core_ = std::make_unique<IntCore>(rows, cols);
  }
  SC_METHOD(on_posedge);
  sensitive << clk.pos();
  dont_initialize();
}

OsArray::~OsArray() = default;

void OsArray::issue_step(const OsStep& step, const int32_t* inputs, const int32_t* weights) {
  IntCore& k = *int_core_;
  k.step = step;
  std::copy(inputs, inputs + rows_, k.step_x.begin());
  std::copy(weights, weights + cols_, k.step_w.begin());
  k.pending = true;
}

void OsArray::issue_step(const OsStep& step, const float* inputs, const float* weights) {
  FloatCore& k = *float_core_;
  k.step = step;
  std::copy(inputs, inputs + rows_, k.step_x.begin());
  std::copy(weights, weights + cols_, k.step_w.begin());
  k.pending = true;
}

namespace {

// One posedge of a core; returns whether the array did anything.
template <class Core>
bool step_core(Core& k, uint64_t n, uint64_t& quiet_after, bool& any_step, int accumulator_bits,
               PsumWatcher* watcher) {
  const bool issued = k.pending;
  const bool quiet = !any_step || n > quiet_after;
  if (quiet && !issued) {
    return false;  // no operand in flight: no PE changes
  }
  if (quiet) {
    k.wake();
  }
  if (issued) {
    quiet_after = n + k.rows + k.cols - 2;  // the step's last product is at PE(R-1, C-1) then
    any_step = true;
  }
  k.latch(n);
  int live_rows = 0, live_cols = 0;
  k.live_extent(live_rows, live_cols);
  int slot = static_cast<int>(n % k.rows), newest = static_cast<int>(n % k.ring);
  for (int r = 0; r < k.rows; ++r) {
    if (k.step_row(n, r, slot, newest, r < live_rows ? live_cols : 0)) {
      k.drain_row(n, r, accumulator_bits, watcher);
    }
    slot = slot == 0 ? k.rows - 1 : slot - 1;
    newest = newest == 0 ? k.ring - 1 : newest - 1;
  }
  k.cur ^= 1;
  return true;
}

}  // namespace

void OsArray::on_posedge() {
  const uint64_t n = cycle_++;
  const bool issued = is_float_ ? float_core_->pending : int_core_->pending;
  stats_.vectors_streamed += issued ? 1 : 0;
  PsumWatcher* watcher = active_watcher();
  const bool busy =
      is_float_ ? step_core(*float_core_, n, quiet_after_, any_step_, accumulator_bits_, watcher)
                : step_core(*int_core_, n, quiet_after_, any_step_, accumulator_bits_, watcher);
  stats_.busy_cycles += busy ? 1 : 0;
  sample_trace(n);
}

PeState OsArray::pe(int r, int c) const {
  const uint64_t last = cycle_ > 0 ? cycle_ - 1 : 0;
  return is_float_ ? float_core_->state(last, r, c) : int_core_->state(last, r, c);
}

void OsArray::trace(Tracer& tracer) { trace_pes(tracer, is_float_, ""); }

}  // namespace safsim
