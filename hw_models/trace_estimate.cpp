// The trace-size model: value changes per PE register and fold, bytes per change, the run's
// layer timeline. Every constant was measured on traces of LeNet-5 (docs/traces.md).
#include "hw_models/trace_estimate.h"

#include <algorithm>
#include <string>

namespace safsim {
namespace {

// Value changes of a PE's input and psum per token of a fold (zero activations repeat, so
// fewer than one) and per fold (the first token and the bubble after the last), and of its
// weight per array row and fold (the loading column shifts through it). Fitted to whole-image
// LeNet-5 traces on 16x16 and 8x8 PEs (docs/traces.md).
constexpr double kInputPerToken = 0.55, kInputPerFold = 2;
constexpr double kPsumPerToken = 0.69, kPsumPerFold = 2.5;
constexpr double kWeightPerRow = 0.97;

enum class Kind { kInput, kPsum, kWeight, kValid, kWeightValid, kClock, kOther };

bool ends_with(const std::string& s, const char* suffix) {
  const std::string x(suffix);
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

Kind kind_of(const TraceSignal& s) {
  if (s.name.find(".pe_") != std::string::npos) {
    for (const auto& [suffix, k] :
         {std::pair{".input", Kind::kInput}, std::pair{".psum", Kind::kPsum},
          std::pair{".weight", Kind::kWeight}, std::pair{".weight_valid", Kind::kWeightValid},
          std::pair{".input_valid", Kind::kWeightValid}, std::pair{".valid", Kind::kValid}}) {
      if (ends_with(s.name, suffix)) {
        return k;
      }
    }
  }
  return ends_with(s.name, ".clk") ? Kind::kClock : Kind::kOther;
}

// Bytes of one value change: "b<bits> <id>\n" with leading zeros dropped (a negative value
// writes all its bits), "r<%.16g> <id>\n" for a real, "<bit><id>\n" for one bit. Measured means.
double bytes_per_change(const TraceSignal& s, Kind k) {
  if (s.width == 1) {
    return 7;
  }
  if (s.is_real) {
    return 24;
  }
  switch (k) {
    case Kind::kInput:
      return 12.5;
    case Kind::kPsum:
      return 43.3;
    case Kind::kWeight:
      return 26.0;
    default:
      return 16;
  }
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

double changes_of(const LayerActivity& a, Kind k) {
  switch (k) {
    case Kind::kInput:
      return a.input;
    case Kind::kPsum:
      return a.psum;
    case Kind::kWeight:
      return a.weight;
    case Kind::kValid:
      return a.valid;
    case Kind::kWeightValid:
      return a.weight_valid;
    default:
      return 0;
  }
}

}  // namespace

std::vector<LayerActivity> image_activity(const QuantModel& qm, const std::vector<LayerPlan>& plans,
                                          const AcceleratorConfig& cfg) {
  const auto R = static_cast<uint64_t>(cfg.array.rows);
  const auto C = static_cast<uint64_t>(cfg.array.cols);
  std::vector<LayerActivity> out;
  for (const LayerPlan& p : plans) {
    LayerActivity a;
    if (!p.on_array) {
      const uint64_t work = ppu_layer_work(qm.layers[size_t(p.layer)]);
      a.cycles = work > 0 ? ppu_cost(work, cfg) : 0;
      out.push_back(a);
      continue;
    }
    // ws/is: L_f = max(L_{f-1} + R, D_{f-2}), s_f = max(L_f + R, s_{f-1} + S_{f-1}) when
    // overlapped; serial folds follow each other: L_f = D_{f-1}. os loads nothing:
    // s_f = D_{f-1} serial, s_{f-1} + max(S_{f-1}, R) overlapped. D_f = s_f + S_f + R + C - 2.
    const bool serial = cfg.weight_load == WeightLoad::kSerial;
    const bool os = p.dataflow == Dataflow::kOs;
    std::vector<uint64_t> drained;
    uint64_t load = 0, stream = 0, prev_steps = 0;
    for (size_t f = 0; f < p.folds.size(); ++f) {
      const FoldPlan& fold = p.folds[f];
      const TilePlan& tile = p.tiles[size_t(fold.tile)];
      const auto t = static_cast<uint64_t>(fold.steps);
      if (os) {
        stream = f == 0 ? 0 : serial ? drained[f - 1] : stream + std::max(prev_steps, R);
      } else {
        if (f > 0) {
          load = serial ? drained[f - 1] : std::max(load + R, f >= 2 ? drained[f - 2] : 0);
        }
        stream = f == 0 || serial ? load + R : std::max(load + R, stream + prev_steps);
      }
      drained.push_back(stream + t + R + C - 2);
      prev_steps = t;
      // Streamed operands move along the rows a fold uses, psums (os: results) down the columns
      // it uses; the stationary operand shifts in once per fold (os: the weights stream too).
      const double rows_used = os ? tile.pixels : fold.rows_used;
      const double cols_used = p.dataflow == Dataflow::kIs ? tile.pixels : tile.channels;
      const double rows_share = rows_used / double(R);
      const double cols_share = cols_used / double(C);
      const double moving = (kInputPerToken * double(t) + kInputPerFold) * rows_share;
      const double stationary =
          os ? moving * cols_share : kWeightPerRow * double(R) * rows_share * cols_share;
      const bool inputs_stationary = p.dataflow == Dataflow::kIs;
      a.input += inputs_stationary ? stationary : moving;
      a.weight += inputs_stationary ? moving : stationary;
      a.psum += (kPsumPerToken * double(t) + kPsumPerFold) * cols_share;
      a.valid += 2;
      a.weight_valid += os ? 0 : 2;
    }
    a.cycles = drained.empty() ? 0 : drained.back();
    if (!p.tiles.empty()) {
      const TilePlan& last = p.tiles.back();
      a.cycles += ppu_cost(uint64_t(last.pixels) * uint64_t(last.channels), cfg);
    }
    out.push_back(a);
  }
  return out;
}

TraceEstimate estimate_trace(const std::vector<TraceSignal>& signals, uint64_t start_cycle,
                             uint64_t end_cycle, const std::vector<LayerActivity>& layers,
                             int images, uint64_t first_cycle, uint64_t period_ps) {
  TraceEstimate e;
  uint64_t per_image = 0;
  for (const LayerActivity& l : layers) {
    per_image += l.cycles;
  }
  e.run_cycles = first_cycle + per_image * static_cast<uint64_t>(std::max(images, 0));
  e.signals = static_cast<int>(signals.size());
  const uint64_t last = e.run_cycles > 0 ? std::min(end_cycle, e.run_cycles - 1) : 0;
  e.window_cycles = e.run_cycles > 0 && start_cycle <= last ? last - start_cycle + 1 : 0;
  // The changes of an average PE's registers in the window: each layer of each image counts
  // by the share of its cycles inside the window.
  LayerActivity pe;
  if (e.window_cycles > 0 && per_image > 0) {
    const uint64_t lo = std::max(start_cycle, first_cycle);
    const uint64_t first_image = (lo - first_cycle) / per_image;
    const uint64_t last_image = (last - first_cycle) / per_image;
    for (uint64_t i = first_image; i <= last_image; ++i) {
      uint64_t begin = first_cycle + i * per_image;
      for (const LayerActivity& l : layers) {
        const uint64_t end = begin + l.cycles;  // one past the layer's last cycle
        const uint64_t a = std::max(begin, lo), b = std::min(end, last + 1);
        if (b > a && l.cycles > 0) {
          const double share = double(b - a) / double(l.cycles);
          pe.input += share * l.input;
          pe.psum += share * l.psum;
          pe.weight += share * l.weight;
          pe.valid += share * l.valid;
          pe.weight_valid += share * l.weight_valid;
        }
        begin = end;
      }
    }
  }
  const auto cycles = double(e.window_cycles);
  // Header: about 50 bytes per $var line with its share of $scope lines, then every initial value.
  double bytes = 400;
  double changes = 0;
  for (const TraceSignal& s : signals) {
    const Kind k = kind_of(s);
    const double b = bytes_per_change(s, k);
    double n = changes_of(pe, k);
    if (k == Kind::kClock) {
      n = 2 * cycles;
    } else if (k == Kind::kOther) {
      n = 0.13 * cycles;  // controller, NVM, SRAM, self-test: measured mean of 17 registers
    }
    changes += n;
    bytes += 50 + b + n * b;
  }
  // Two time stamps per cycle: "#<ps>\n" and the blank line after each time's values.
  bytes += 2.0 * cycles * double(decimal_digits((last + 1) * period_ps) + 3);
  e.changes_per_cycle = cycles > 0 ? changes / cycles : 0;
  e.bytes = bytes;
  return e;
}

}  // namespace safsim
