// The accelerator's bit-level arithmetic. Every rounding, wrap and clamp rule is defined here
// once and called by both engines (docs/design.md, invariant 1). See docs/quantization.md.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "workloads/quant_model.h"

namespace safsim {

/// Two's-complement wrap of an accumulator to `bits` (8..32). Wrapping is modular, so wrapping
/// once at the end equals wrapping after every MAC, whatever the summation order.
inline int32_t wrap_accumulator(int64_t acc, int bits) {
  const uint64_t m = bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  const uint64_t sign = uint64_t{1} << (bits - 1);
  const uint64_t u = static_cast<uint64_t>(acc) & m;
  return static_cast<int32_t>(static_cast<int64_t>(u ^ sign) - static_cast<int64_t>(sign));
}

/// Rounding right shift: floor((x + 2^(shift-1)) / 2^shift), i.e. round half towards +inf.
inline int64_t round_shift(int64_t x, int shift) {
  return (x + (int64_t{1} << (shift - 1))) >> shift;
}

/// Fixed-point requantization of a (wrapped) accumulator: round(x * M / 2^shift).
inline int64_t requantize(int32_t x, const Requant& rq) {
  return round_shift(int64_t{x} * rq.multiplier, rq.shift);
}

inline int32_t clamp_to(int64_t v, const ActQuant& q) {
  return static_cast<int32_t>(std::min<int64_t>(std::max<int64_t>(v, q.qmin), q.qmax));
}

/// Post-processing of one array output: accumulator (+ bias, wrapped) -> requantize ->
/// activation -> output code. ReLU is the clamp at zero of an unsigned output range; Sigmoid
/// clamps to the pre-activation range and looks the code up. `kSigmoid` is a template argument
/// so the engines' loops over a row of outputs have no branch and vectorize.
template <bool kSigmoid>
inline int32_t post_process_int_as(int64_t acc, int out_channel, const QLayer& layer,
                                   int accumulator_bits) {
  const int32_t total = wrap_accumulator(acc + layer.bias[out_channel], accumulator_bits);
  const int64_t scaled = requantize(total, layer.requant[out_channel]);
  if constexpr (kSigmoid) {
    const int32_t pre = clamp_to(scaled, layer.pre_q);
    return layer.sigmoid_lut[pre - layer.pre_q.qmin];
  }
  return clamp_to(scaled, layer.out_q);
}

inline int32_t post_process_int(int64_t acc, int out_channel, const QLayer& layer,
                                int accumulator_bits) {
  return layer.activation == Activation::kSigmoid
             ? post_process_int_as<true>(acc, out_channel, layer, accumulator_bits)
             : post_process_int_as<false>(acc, out_channel, layer, accumulator_bits);
}

/// Float formats: bias + activation in fp32.
float post_process_float(float acc, int out_channel, const QLayer& layer);

/// The window geometry of a pooling layer: a global pool covers the whole input.
inline WindowGeom pool_geometry(const QLayer& q) {
  if (q.kind == QOpKind::kGlobalAvgPool) {
    return WindowGeom{q.in_shape.h, q.in_shape.w, 1, 1, 0, 0, 0, 0, false};
  }
  return q.geom;
}

/// The input window of pooling output (oy, ox), clipped to the input: rows [y0, y1), columns
/// [x0, x1), and the average-pool divisor (the whole kernel with count_include_pad, else the
/// cells inside the input). Every engine and analysis takes windows from here.
struct PoolWindow {
  int y0, y1, x0, x1;
  int divisor;
};
inline PoolWindow pool_window(const WindowGeom& g, const Shape& in, int oy, int ox) {
  const int ys = oy * g.stride_h - g.pad_top;
  const int xs = ox * g.stride_w - g.pad_left;
  PoolWindow w{std::max(ys, 0), std::min(ys + g.kernel_h, in.h), std::max(xs, 0),
               std::min(xs + g.kernel_w, in.w), 0};
  w.divisor = g.count_include_pad ? g.kernel_h * g.kernel_w : (w.y1 - w.y0) * (w.x1 - w.x0);
  return w;
}

/// Average pooling of integer codes: round half up of sum / count (floor division).
inline int32_t avg_pool_round(int64_t sum, int count) {
  const int64_t num = 2 * sum + count;
  const int64_t den = 2 * int64_t{count};
  int64_t q = num / den;
  if ((num % den != 0) && ((num < 0) != (den < 0))) {
    --q;  // floor, not truncation
  }
  return static_cast<int32_t>(q);
}

/// Average pooling of integer codes, the one rule both engines use. AveragePool keeps its
/// input's scale (avg_pool_round). GlobalAveragePool has its own calibrated output scale: the
/// window sum is rescaled by requant[0] = s_in / (count * s_out), so the few logits a global pool
/// feeds keep full resolution instead of the pre-pool tensor's coarse step.
inline int32_t avg_pool_int(int64_t sum, int count, const QLayer& layer) {
  if (layer.kind == QOpKind::kGlobalAvgPool && !layer.requant.empty()) {
    const Requant& rq = layer.requant[0];
    return clamp_to(round_shift(sum * rq.multiplier, rq.shift), layer.out_q);
  }
  return avg_pool_round(sum, count);
}

/// Residual add: both inputs rescaled to the output scale with a shared shift, then ReLU/clamp.
int32_t residual_add_int(int32_t a, int32_t b, const QLayer& layer);

/// Input image quantization: pixel p in [0,255] is the real value p/255; its code is
/// round_half_up(p * (2^bits - 1) / 255), exactly p at 8 bits.
inline int32_t quantize_pixel(uint8_t p, const ActQuant& in) {
  const int64_t levels = in.qmax;  // 2^bits - 1 for the unsigned input
  return static_cast<int32_t>((2 * int64_t{p} * levels + 255) / 510);
}

/// The real value an integer activation code stands for.
inline float dequantize(int32_t q, const ActQuant& a) { return a.scale * static_cast<float>(q); }

/// Builds the requantization constants for a real multiplier in (0, 2^31).
Requant make_requant(double real_multiplier);

}  // namespace safsim
