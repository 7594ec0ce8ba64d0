// Opt-in VCD tracing (sc_trace) limited to scope globs and a cycle window. Components trace
// shadow copies of their registers and refresh them only inside the window, so cycles outside
// it add nothing to the file (docs/traces.md).
#pragma once

#include <cstdint>
#include <string>
#include <systemc>
#include <type_traits>
#include <vector>

#include "base/trace_config.h"

namespace safsim {

/// One VCD file plus the user's selection. Components register shadows through add().
///   Tracer t(cfg.output.trace, "out/trace.vcd");
///   t.add(shadow_weight_, std::string(name()) + ".pe_0_0.weight");
///   if (t.in_window(cycle_)) { shadow_weight_ = ...; }
class Tracer {
 public:
  /// Opens `vcd_path` (".vcd" is appended when missing); the file is closed by the destructor.
  Tracer(const TraceConfig& cfg, const std::string& vcd_path);
  ~Tracer();
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  /// A signal is traced when a glob matches its full name or one of its enclosing scopes.
  bool wants(const std::string& full_name) const;
  bool in_window(uint64_t cycle) const { return cycle >= start_cycle_ && cycle <= end_cycle_; }
  uint64_t start_cycle() const { return start_cycle_; }

  /// Registers `var` under `full_name` when wanted; returns whether it was registered.
  template <class T>
  bool add(const T& var, const std::string& full_name, int width = 0) {
    if (!wants(full_name)) {
      return false;
    }
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      sc_core::sc_trace(file_, var, full_name, width > 0 ? width : int(8 * sizeof(T)));
    } else {
      sc_core::sc_trace(file_, var, full_name);
    }
    ++signals_;
    return true;
  }
  int signals() const { return signals_; }
  const std::string& path() const { return path_; }

 private:
  sc_core::sc_trace_file* file_ = nullptr;
  std::vector<std::string> globs_;
  uint64_t start_cycle_ = 0;
  uint64_t end_cycle_ = 0;
  int signals_ = 0;
  std::string path_;
};

}  // namespace safsim
