// The PE array's clocked process: skew buffer, register shift, MACs, bottom-row accumulation.
#include "hw_models/dataflow/systolic_array.h"

#include <algorithm>
#include <cstring>

#include "base/trace.h"

namespace safsim {
namespace {

// A PE's token bits, one byte so that a row's shift is one block copy: the registers hold a
// token (not a bubble), and the bank of its fold (a bubble's is 0).
constexpr uint8_t kValid = 1, kBank1 = 2;

}  // namespace

/// The registers of every PE (structure of arrays, row-major R x C) plus the edge buffers.
/// V is the operand type (int32 codes or fp32), P the partial-sum type (int64 or fp32).
template <class V, class P>
struct ArrayCore {
  int rows, cols, ring;                // ring = R + C: tags of tokens still in flight
  std::vector<V> w[2];                 // double-buffered weight registers (bank 0/1)
  int rows_in[2] = {0, 0};             // rows shifted into each bank since its fold began
  std::vector<V> x[2];                 // input registers: current / next
  std::vector<uint8_t> token_bits[2];  // kValid | kBank1 per PE: current / next
  std::vector<P> psum[2];
  std::vector<P> zero_row;
  int cur = 0;
  std::vector<V> skew;             // setup buffer: R slots (one per issue cycle) x R values
  std::vector<uint8_t> skew_bits;  // kValid | kBank1 of each skew slot
  std::vector<TokenTag> tags;
  bool load_pending = false, token_pending = false;
  int load_bank = 0;
  std::vector<V> load_row, token_x;
  TokenTag token_tag;

  ArrayCore(int r, int c) : rows(r), cols(c), ring(r + c) {
    const size_t n = size_t(r) * c;
    for (int b = 0; b < 2; ++b) {
      w[b].assign(n + 1, V{});  // + 1: the phantom PE of step_row's last row
      x[b].assign(n, V{});
      token_bits[b].assign(n, 0);
      psum[b].assign(n + 1, P{});
    }
    zero_row.assign(c + 1, P{});
    skew.assign(size_t(r) * r, V{});
    skew_bits.assign(r, 0);
    tags.assign(ring, TokenTag{});
    load_row.assign(c, V{});
    token_x.assign(r, V{});
  }

  // Latches the controller's token (or a bubble) into the skew slot of posedge n.
  void latch_token(uint64_t n) {
    const int slot = static_cast<int>(n % rows);
    V* dst = &skew[size_t(slot) * rows];
    if (token_pending) {
      std::copy(token_x.begin(), token_x.end(), dst);
      tags[n % ring] = token_tag;
    } else if (skew_bits[slot] != 0 || tags[n % ring].valid) {
      std::fill(dst, dst + rows, V{});
      tags[n % ring].valid = false;
    }
    skew_bits[slot] = token_pending ? (kValid | (token_tag.bank != 0 ? kBank1 : 0)) : 0;
    token_pending = false;
  }

  // Next registers of row r: inputs shift right by one PE, psums come from the row above.
  // `slot`: (n - r) % R, stepped down row by row by the caller (no division per row).
  void step_row(int r, int slot) {
    const int nxt = cur ^ 1;
    const size_t base = size_t(r) * cols;
    const V* xc = &x[cur][base];
    const uint8_t* bc = &token_bits[cur][base];
    V* xn = &x[nxt][base];
    uint8_t* bn = &token_bits[nxt][base];
    xn[0] = skew[size_t(slot) * rows + r];
    bn[0] = skew_bits[slot];
    // Registers move one PE right: block copies (the arrays never alias), vectorised by libc.
    std::memcpy(xn + 1, xc, sizeof(V) * (cols - 1));
    std::memcpy(bn + 1, bc, cols - 1);
    // PE 0 takes the skew buffer's operand; PE c + 1 the input and bank PE c holds now. The
    // MACs read those current registers, not the copies just stored for the next posedge (a
    // vector load of freshly stored bytes waits for the stores). The loop runs C times so that
    // it is whole vectors: its last pass computes a phantom PE C, whose result lands in the
    // next row's PE 0 (written again when that row steps) or, for the last row, in the spare
    // entry past the array; its weight reads likewise stay inside the arrays.
    const P* above = r == 0 ? zero_row.data() : &psum[cur][base - cols];
    P* pn = &psum[nxt][base];
    const V x0 = xn[0];
    pn[0] = mac(above[0], (bn[0] & kBank1) != 0 ? w[1][base] : w[0][base], x0);
    const P* __restrict above1 = above + 1;
    const V* __restrict w01 = &w[0][base + 1];
    const V* __restrict w11 = &w[1][base + 1];
    const V* __restrict xl = xc;
    const uint8_t* __restrict bl = bc;
    P* __restrict pn1 = pn + 1;
    for (int c = 0; c < cols; ++c) {
      const V wt = (bl[c] & kBank1) != 0 ? w11[c] : w01[c];
      pn1[c] = mac(above1[c], wt, xl[c]);
    }
  }

  static P mac(P above, V wt, V xv) {
    if constexpr (std::is_same_v<P, float>) {
      return pe_mac_float(above, wt, xv);
    } else {
      return pe_mac(above, wt, xv);
    }
  }

  // Bottom row: PE(R-1, c) finished the token issued at posedge n - (R-1) - c.
  void drain_bottom(uint64_t n, int accumulator_bits, PsumWatcher* watcher) {
    const P* out = &psum[cur ^ 1][size_t(rows - 1) * cols];
    int issue = static_cast<int>((n + ring - (rows - 1)) % ring);  // + ring: non-negative
    for (int c = 0; c < cols; ++c, issue = issue == 0 ? ring - 1 : issue - 1) {
      const TokenTag& t = tags[issue];
      if (!t.valid || c >= t.cols_used) {
        continue;
      }
      if (watcher != nullptr) {
        const void* entry = t.acc != nullptr ? static_cast<const void*>(t.acc + c)
                                             : static_cast<const void*>(t.acc_float + c);
        watcher->on_psum_access(entry, t.first_row_fold, n);
      }
      if constexpr (std::is_same_v<P, float>) {
        t.acc_float[c] = t.first_row_fold ? out[c] : t.acc_float[c] + out[c];
      } else {
        t.acc[c] = accumulate_psum(t.acc[c], out[c], t.first_row_fold, accumulator_bits);
      }
    }
  }

  // Weight load: bank rows move down by one, the new row enters row 0. A fold loads all R rows
  // (docs/timing.md), so a row arriving at a full bank starts the bank's next fold; the bank's
  // weights are in place (valid) again once its R-th row has shifted in.
  void shift_weights() {
    std::vector<V>& wb = w[load_bank];
    const auto end = wb.begin() + ptrdiff_t(rows) * cols;
    std::copy_backward(wb.begin(), end - cols, end);
    std::copy(load_row.begin(), load_row.end(), wb.begin());
    if (rows_in[load_bank] == rows) {
      rows_in[load_bank] = 0;
    }
    ++rows_in[load_bank];
    load_pending = false;
  }

  PeState state(int r, int c) const {
    const size_t i = size_t(r) * cols + c;
    PeState s;
    // A PE holding a token shows the bank that token uses; between tokens, the bank being (or
    // last) loaded, so a trace shows a fold's weights arriving.
    const uint8_t bits = token_bits[cur][i];
    const int b = (bits & kValid) != 0 ? ((bits & kBank1) != 0 ? 1 : 0) : load_bank;
    if constexpr (std::is_same_v<V, float>) {
      s.weight = fp32_bits(w[b][i]);
      s.input = fp32_bits(x[cur][i]);
      s.psum = fp32_bits(psum[cur][i]);
    } else {
      s.weight = w[b][i];
      s.input = x[cur][i];
      s.psum = psum[cur][i];
    }
    s.stationary_valid = rows_in[b] == rows;
    s.valid = (bits & kValid) != 0;
    return s;
  }
};

struct SystolicArray::IntCore : ArrayCore<int32_t, int64_t> {
  using ArrayCore::ArrayCore;
};
struct SystolicArray::FloatCore : ArrayCore<float, float> {
  using ArrayCore::ArrayCore;
};

SystolicArray::SystolicArray(const sc_core::sc_module_name& name, int rows, int cols, bool is_float,
                             int accumulator_bits, bool inputs_stationary)
    : PeArray(name, rows, cols),
      is_float_(is_float),
      accumulator_bits_(accumulator_bits),
      inputs_stationary_(inputs_stationary) {
  if (is_float_) {
    float_core_ = std::make_unique<FloatCore>(rows, cols);
  } else {
    int_core_ = std::make_unique<IntCore>(rows, cols);
  }
  SC_METHOD(on_posedge);
  sensitive << clk.pos();
  dont_initialize();
}

SystolicArray::~SystolicArray() = default;

void SystolicArray::load_row(int bank, const int32_t* words) {
  int_core_->load_bank = bank;
  std::copy(words, words + cols_, int_core_->load_row.begin());
  int_core_->load_pending = true;
}

void SystolicArray::load_row(int bank, const float* words) {
  float_core_->load_bank = bank;
  std::copy(words, words + cols_, float_core_->load_row.begin());
  float_core_->load_pending = true;
}

void SystolicArray::issue_vector(const TokenTag& tag, const int32_t* values) {
  int_core_->token_tag = tag;
  std::copy(values, values + rows_, int_core_->token_x.begin());
  int_core_->token_pending = true;
}

void SystolicArray::issue_vector(const TokenTag& tag, const float* values) {
  float_core_->token_tag = tag;
  std::copy(values, values + rows_, float_core_->token_x.begin());
  float_core_->token_pending = true;
}

namespace {

// One posedge of a core; returns whether the array did anything.
template <class Core>
bool step_core(Core& k, uint64_t n, uint64_t& quiet_after, int accumulator_bits,
               PsumWatcher* watcher) {
  const bool token = k.token_pending;
  const bool load = k.load_pending;
  if (token) {
    quiet_after = n + k.rows + k.cols - 1;  // the token's last psum leaves PE(R-1,C-1) then
  }
  if (!token && n > quiet_after) {
    // Every register already holds zero and no token is in flight: the step is the identity.
    k.skew_bits[n % k.rows] = 0;
    k.tags[n % k.ring].valid = false;
  } else {
    k.latch_token(n);
    int slot = static_cast<int>(n % k.rows);
    for (int r = 0; r < k.rows; ++r) {
      k.step_row(r, slot);
      slot = slot == 0 ? k.rows - 1 : slot - 1;
    }
    k.drain_bottom(n, accumulator_bits, watcher);
    k.cur ^= 1;
  }
  if (load) {
    k.shift_weights();
  }
  return token || load || n <= quiet_after;
}

}  // namespace

void SystolicArray::on_posedge() {
  const uint64_t n = cycle_++;
  const bool tok = is_float_ ? float_core_->token_pending : int_core_->token_pending;
  const bool load = is_float_ ? float_core_->load_pending : int_core_->load_pending;
  stats_.vectors_streamed += tok ? 1 : 0;
  stats_.stationary_rows_loaded += load ? 1 : 0;
  PsumWatcher* watcher = active_watcher();
  const bool busy = is_float_ ? step_core(*float_core_, n, quiet_after_, accumulator_bits_, watcher)
                              : step_core(*int_core_, n, quiet_after_, accumulator_bits_, watcher);
  stats_.busy_cycles += busy ? 1 : 0;
  sample_trace(n);
}

PeState SystolicArray::pe(int r, int c) const {
  PeState s = is_float_ ? float_core_->state(r, c) : int_core_->state(r, c);
  if (inputs_stationary_) {
    std::swap(s.weight, s.input);  // is: the stationary register holds an input
  }
  return s;
}

void SystolicArray::trace(Tracer& tracer) {
  trace_pes(tracer, is_float_, inputs_stationary_ ? ".input_valid" : ".weight_valid");
}

}  // namespace safsim
