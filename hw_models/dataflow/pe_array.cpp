// The PE register trace every array module shares (docs/traces.md).
#include "hw_models/dataflow/pe_array.h"

#include <cstring>

#include "base/trace.h"

namespace safsim {

void PeArray::trace_pes(Tracer& tracer, bool is_float, const std::string& stationary_valid) {
  const std::string me = name();
  std::vector<TracedPe> wanted;
  for (int r = 0; r < rows_; ++r) {
    for (int c = 0; c < cols_; ++c) {
      const std::string pe = me + ".pe_" + std::to_string(r) + "_" + std::to_string(c);
      if (tracer.wants(pe + ".weight") || tracer.wants(pe + ".input") ||
          tracer.wants(pe + ".psum") || tracer.wants(pe + ".valid") ||
          (!stationary_valid.empty() && tracer.wants(pe + stationary_valid))) {
        wanted.push_back(TracedPe{r, c, PeState{}});
      }
    }
  }
  traced_ = std::move(wanted);  // no reallocation after this: sc_trace keeps the addresses
  for (TracedPe& t : traced_) {
    const std::string pe = me + ".pe_" + std::to_string(t.r) + "_" + std::to_string(t.c);
    if (is_float) {
      tracer.add(t.weight_f, pe + ".weight");
      tracer.add(t.input_f, pe + ".input");
      tracer.add(t.psum_f, pe + ".psum");
    } else {
      tracer.add(t.state.weight, pe + ".weight");
      tracer.add(t.state.input, pe + ".input");
      tracer.add(t.state.psum, pe + ".psum");
    }
    tracer.add(t.state.valid, pe + ".valid");
    if (!stationary_valid.empty()) {
      tracer.add(t.state.stationary_valid, pe + stationary_valid);
    }
  }
  trace_float_ = is_float;
  tracer_ = &tracer;
}

void PeArray::sample_trace(uint64_t n) {
  if (tracer_ == nullptr || !tracer_->in_window(n)) {
    return;
  }
  for (TracedPe& t : traced_) {
    t.state = pe(t.r, t.c);
    if (trace_float_) {
      const int32_t w = t.state.weight, x = t.state.input;
      const int32_t p = static_cast<int32_t>(t.state.psum);
      std::memcpy(&t.weight_f, &w, sizeof w);
      std::memcpy(&t.input_f, &x, sizeof x);
      std::memcpy(&t.psum_f, &p, sizeof p);
    }
  }
}

}  // namespace safsim
