// The `output.trace` section: which signals the VCD tracer records and in which cycle window
// (docs/traces.md). Owned by the base so memories and the accelerator can trace alike.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace safsim {

struct TraceConfig {
  bool enabled = false;
  std::string file = "trace.vcd";
  std::vector<std::string> scopes;  // globs over hierarchical names; empty = everything
  uint64_t start_cycle = 0;
  uint64_t end_cycle = std::numeric_limits<uint64_t>::max();
  // A guard against traces too large to open: a whole LeNet-5 image on 16x16 PEs is ~140 MB.
  double max_mb = 200;

  template <class V>
  void visit(V& v) {
    v.value("enabled", enabled, "write a VCD trace");
    v.value("file", file, "VCD file name, relative to the output directory");
    v.value("scopes", scopes, "globs of hierarchical signal names to trace; empty = all");
    v.value("start_cycle", start_cycle, uint64_t{0}, std::numeric_limits<uint64_t>::max(),
            "first traced cycle");
    v.value("end_cycle", end_cycle, uint64_t{0}, std::numeric_limits<uint64_t>::max(),
            "last traced cycle");
    v.value("max_mb", max_mb, 0.0, 1e9,
            "refuse a trace whose estimated VCD size exceeds this many MB (0 = no limit; "
            "`safsim run --force` ignores it)");
  }
};

}  // namespace safsim
