// The trace-size model: per-signal-class rates and sizes, and the ideal-memory run length.
#include "hw_models/trace_estimate.h"

#include <algorithm>
#include <string>

namespace safsim {
namespace {

bool ends_with(const std::string& s, const char* suffix) {
  const std::string x(suffix);
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

// Value changes per cycle and bytes per change ("b<bits> <id>\n", leading zeros dropped; a
// negative value writes all its bits) of one signal. Measured on one LeNet-5 image on 16x16
// PEs, every signal traced (docs/traces.md gives the command and the per-class counts).
struct Rate {
  double changes_per_cycle;
  double bytes_per_change;
};

Rate rate_of(const TraceSignal& s) {
  const bool pe = s.name.find(".pe_") != std::string::npos;
  // A real (float formats) is written as "r<%.16g> <id>\n".
  const double real_bytes = 24;
  if (pe && ends_with(s.name, ".psum")) {
    return {0.19, s.is_real ? real_bytes : 43.3};
  }
  if (pe && ends_with(s.name, ".input")) {
    return {0.18, s.is_real ? real_bytes : 12.5};
  }
  if (pe && ends_with(s.name, ".weight")) {
    return {0.12, s.is_real ? real_bytes : 25.9};
  }
  if (pe && ends_with(s.name, ".valid")) {
    return {0.031, 7};
  }
  if (pe && ends_with(s.name, ".weight_valid")) {
    return {0.011, 7};
  }
  if (ends_with(s.name, ".clk")) {
    return {2, 7};
  }
  // Controller, NVM, SRAM and self-test registers: 0.13 changes per cycle of 16 bytes each,
  // on average over the 16 of them.
  return {0.13, 16};
}

uint64_t decimal_digits(uint64_t v) {
  uint64_t d = 1;
  for (; v >= 10; v /= 10) {
    ++d;
  }
  return d;
}

uint64_t ppu_cost(uint64_t work, const AcceleratorConfig& cfg) {
  const auto lanes = static_cast<uint64_t>(cfg.post_processing_lanes);
  return (work + lanes - 1) / lanes + static_cast<uint64_t>(cfg.post_processing_latency_cycles);
}

// The post-processing work of a layer that is not on the array (docs/timing.md's table).
uint64_t ppu_layer_work(const QLayer& q) {
  const auto outputs = static_cast<uint64_t>(q.out_shape.size());
  switch (q.kind) {
    case QOpKind::kMaxPool:
    case QOpKind::kAvgPool:
      return outputs * static_cast<uint64_t>(q.geom.kernel_h * q.geom.kernel_w);
    case QOpKind::kGlobalAvgPool:
      return static_cast<uint64_t>(q.in_shape.size());
    case QOpKind::kAdd:
    case QOpKind::kMul:
      return 2 * outputs;
    case QOpKind::kFlatten:
      return 0;
    case QOpKind::kUnary:
    case QOpKind::kConcat:
    case QOpKind::kArray:
      break;
  }
  return outputs;
}

}  // namespace

uint64_t ideal_image_cycles(const QuantModel& qm, const std::vector<LayerPlan>& plans,
                            const AcceleratorConfig& cfg) {
  const auto R = static_cast<uint64_t>(cfg.array.rows);
  const auto C = static_cast<uint64_t>(cfg.array.cols);
  uint64_t total = 0;
  for (const LayerPlan& p : plans) {
    const QLayer& q = qm.layers[size_t(p.layer)];
    if (!p.on_array) {
      const uint64_t work = ppu_layer_work(q);
      total += work > 0 ? ppu_cost(work, cfg) : 0;
      continue;
    }
    uint64_t cycles = 0;
    if (cfg.weight_load == WeightLoad::kSerial) {
      for (const FoldPlan& f : p.folds) {
        cycles += 2 * R + C + static_cast<uint64_t>(p.tiles[size_t(f.tile)].tokens) - 2;
      }
    } else {
      // L_f = max(L_{f-1} + R, D_{f-2}), s_f = max(L_f + R, s_{f-1} + T), D_f = s_f + T + R + C
      // - 2.
      std::vector<uint64_t> drained;
      uint64_t load = 0, stream = 0;
      for (size_t f = 0; f < p.folds.size(); ++f) {
        const auto t = static_cast<uint64_t>(p.tiles[size_t(p.folds[f].tile)].tokens);
        if (f > 0) {
          load = std::max(load + R, f >= 2 ? drained[f - 2] : 0);
        }
        const uint64_t prev_t =
            f > 0 ? static_cast<uint64_t>(p.tiles[size_t(p.folds[f - 1].tile)].tokens) : 0;
        stream = f == 0 ? R : std::max(load + R, stream + prev_t);
        drained.push_back(stream + t + R + C - 2);
      }
      cycles = drained.empty() ? 0 : drained.back();
    }
    if (!p.tiles.empty()) {
      const TilePlan& last = p.tiles.back();
      cycles += ppu_cost(uint64_t(last.tokens) * uint64_t(last.cols_used), cfg);
    }
    total += cycles;
  }
  return total;
}

TraceEstimate estimate_trace(const std::vector<TraceSignal>& signals, uint64_t start_cycle,
                             uint64_t end_cycle, uint64_t run_cycles, uint64_t period_ps) {
  TraceEstimate e;
  e.run_cycles = run_cycles;
  e.signals = static_cast<int>(signals.size());
  const uint64_t last = run_cycles > 0 ? std::min(end_cycle, run_cycles - 1) : 0;
  e.window_cycles = run_cycles > 0 && start_cycle <= last ? last - start_cycle + 1 : 0;
  double per_cycle_bytes = 0;
  // Header: about 50 bytes per $var line and its $scope lines, then every initial value.
  double header = 400;
  for (const TraceSignal& s : signals) {
    const Rate r = rate_of(s);
    e.changes_per_cycle += r.changes_per_cycle;
    per_cycle_bytes += r.changes_per_cycle * r.bytes_per_change;
    header += 50 + r.bytes_per_change;
  }
  // Two time stamps per cycle ("#<ps>\n" and the blank line after each time's values).
  const uint64_t stamp_bytes = decimal_digits((last + 1) * period_ps) + 3;
  per_cycle_bytes += 2.0 * double(stamp_bytes);
  e.bytes = header + per_cycle_bytes * double(e.window_cycles);
  return e;
}

}  // namespace safsim
