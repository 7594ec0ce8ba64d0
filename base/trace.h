// Opt-in VCD tracing (sc_trace) limited to scope globs and a cycle window. Components trace
// shadow copies of their registers and refresh them only inside the window, so cycles outside
// it add nothing to the file (docs/traces.md).
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <systemc>
#include <type_traits>
#include <vector>

#include "base/trace_config.h"

namespace safsim {

/// How a waveform viewer should show a signal (the GTKWave save file's data format).
enum class TraceDisplay { kAuto, kBinary, kHex, kUnsigned, kSigned };

/// One registered signal: its hierarchical name, VCD width and how to show it.
struct TraceSignal {
  std::string name;
  int width = 1;
  bool is_real = false;
  TraceDisplay display = TraceDisplay::kAuto;  // kAuto: binary for 1 bit, else by C++ type
  std::vector<std::string> value_names;        // value v shown as value_names[v] (an enum)
};

/// One VCD file plus the user's selection. Components register shadows through add() while the
/// model is built; after arm() the clock's block calls at_edge() on every clock edge, which
/// creates the file at the window's first edge and closes it after the window's last cycle, so
/// SystemC samples the traced variables only inside the window.
///   Tracer t(cfg.output.trace, "out/trace.vcd");
///   t.add(shadow_weight_, std::string(name()) + ".pe_0_0.weight");
///   t.arm();
///   t.at_edge(cycle);                                   // in the clock's process
///   if (t.in_window(cycle_)) { shadow_weight_ = ...; }
class Tracer {
 public:
  /// Nothing is written until open(); ".vcd" is appended to `vcd_path` when missing.
  Tracer(const TraceConfig& cfg, const std::string& vcd_path);
  ~Tracer();
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  /// A signal is traced when a glob matches its full name or one of its enclosing scopes. Every
  /// name asked about is remembered as traceable (check_scopes() lists them).
  bool wants(const std::string& full_name) const;
  bool in_window(uint64_t cycle) const { return cycle >= start_cycle_ && cycle <= end_cycle_; }
  uint64_t start_cycle() const { return start_cycle_; }
  uint64_t end_cycle() const { return end_cycle_; }

  /// Registers `var` under `full_name` when wanted; returns whether it was registered. `var`
  /// must stay at its address until the file is closed.
  template <class T>
  bool add(const T& var, const std::string& full_name, int width = 0,
           TraceDisplay display = TraceDisplay::kAuto, std::vector<std::string> value_names = {}) {
    if (!wants(full_name)) {
      return false;
    }
    TraceSignal s;
    s.name = full_name;
    s.display = display;
    s.value_names = std::move(value_names);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      s.width = width > 0 ? width : int(8 * sizeof(T));
      if (s.display == TraceDisplay::kAuto) {
        s.display = std::is_signed_v<T> ? TraceDisplay::kSigned : TraceDisplay::kUnsigned;
      }
      const int w = s.width;
      registrations_.push_back([&var, full_name, w](sc_core::sc_trace_file* f) {
        sc_core::sc_trace(f, var, full_name, w);
      });
    } else {
      s.width = std::is_same_v<T, bool> ? 1 : int(8 * sizeof(T));
      s.is_real = std::is_floating_point_v<T>;
      registrations_.push_back(
          [&var, full_name](sc_core::sc_trace_file* f) { sc_core::sc_trace(f, var, full_name); });
    }
    signals_.push_back(std::move(s));
    return true;
  }

  /// Throws ConfigError when a glob of output.trace.scopes matches no traceable signal, naming
  /// the traceable scopes and the closest one.
  void check_scopes() const;
  /// Lets at_edge() create the file (the CycleEngine arms it once its checks have passed).
  void arm() { armed_ = true; }
  bool armed() const { return armed_; }
  /// Called at every clock edge with the cycle the edge belongs to (a negedge belongs to the
  /// posedge after it): creates the VCD at the first edge inside the window and closes it at the
  /// first edge after it, so the last time stamp is the end of cycle end_cycle.
  void at_edge(uint64_t cycle) {
    if (!armed_ || closed_) {
      return;
    }
    if (cycle > end_cycle_) {
      close();
    } else if (file_ == nullptr && cycle >= start_cycle_) {
      open();
    }
  }
  bool is_open() const { return file_ != nullptr; }
  /// Closes the VCD at the current simulation time and writes the GTKWave files beside it.
  /// Safe to call more than once; the destructor calls it for a window that outlasts the run.
  void close();

  /// Clock period, for the GTKWave view's time range (set by the block that owns the clock).
  void set_clock_period(const sc_core::sc_time& period);
  /// The signals the GTKWave save file shows, in order (full names; absent ones are skipped,
  /// and names ending in '.' open a labelled group, e.g. "accelerator.controller.").
  void set_view(std::vector<std::string> view) { view_ = std::move(view); }

  const std::vector<TraceSignal>& signals() const { return signals_; }
  const std::string& path() const { return path_; }
  /// trace.gtkw beside trace.vcd.
  std::string save_file_path() const;
  /// The VCD, the save file and its translate-filter files, once they are written.
  const std::vector<std::string>& written_files() const { return written_; }

 private:
  void open();
  void write_save_file(uint64_t end_ps);

  sc_core::sc_trace_file* file_ = nullptr;
  bool armed_ = false, closed_ = false;
  std::vector<std::string> globs_;
  uint64_t start_cycle_ = 0;
  uint64_t end_cycle_ = 0;
  uint64_t period_ps_ = 0;
  std::string path_;
  std::vector<TraceSignal> signals_;
  std::vector<std::function<void(sc_core::sc_trace_file*)>> registrations_;
  std::vector<std::string> view_;
  std::vector<std::string> written_;
  mutable std::set<std::string> traceable_;
};

}  // namespace safsim
