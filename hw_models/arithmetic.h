// The accelerator's bit-level arithmetic. Every rounding, wrap and clamp rule is defined here
// once and called by both engines (docs/design.md, invariant 1). See docs/quantization.md.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>
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

/// Rounding right shift: floor((x + 2^(shift-1)) / 2^shift), i.e. round half towards +inf, for
/// shift >= 1. Computed as floor((floor(x / 2^(shift-1)) + 1) / 2), the same value (the bits
/// below shift-1 cannot carry into the result), because GCC 12 vectorizes this form over a row
/// of channels and not 1 << (shift - 1) with a per-channel shift.
inline int64_t round_shift(int64_t x, int shift) { return ((x >> (shift - 1)) + 1) >> 1; }

/// Fixed-point requantization of a (wrapped) accumulator: round(x * M / 2^shift).
inline int64_t requantize(int32_t x, const Requant& rq) {
  return round_shift(int64_t{x} * rq.multiplier, rq.shift);
}

inline int32_t clamp_to(int64_t v, const ActQuant& q) {
  return static_cast<int32_t>(std::min<int64_t>(std::max<int64_t>(v, q.qmin), q.qmax));
}

/// The activation step of post-processing, on a value already in the requantizer's input domain
/// (an array layer's wrapped accumulator + bias, or a kUnary layer's input code):
///   kPlain  requantize, clamp to the output range (no activation, ReLU: an unsigned range);
///   kClip   the same, then clamp to [clip_lo, clip_hi];
///   kSloped requantize with neg_requant below zero (LeakyRelu, PRelu), clamp;
///   kLut    requantize to pre_q, clamp, look the code up (Sigmoid, Tanh, HardSwish, ...).
/// The rule is a template argument so that the engines' loops over a row have no branch.
enum class PostRule { kPlain, kClip, kSloped, kLut };

template <PostRule kRule>
inline int32_t activate_int(int32_t total, int channel, const QLayer& layer) {
  if constexpr (kRule == PostRule::kLut) {
    const int32_t pre = clamp_to(requantize(total, layer.requant[channel]), layer.pre_q);
    return layer.lut[pre - layer.pre_q.qmin];
  }
  const Requant& rq =
      kRule == PostRule::kSloped && total < 0 ? layer.neg_requant[channel] : layer.requant[channel];
  const int32_t v = clamp_to(requantize(total, rq), layer.out_q);
  if constexpr (kRule == PostRule::kClip) {
    return std::min(std::max(v, layer.clip_lo), layer.clip_hi);
  }
  return v;
}

inline PostRule post_rule(const QLayer& layer) {
  switch (layer.activation) {
    case Activation::kLut:
      return PostRule::kLut;
    case Activation::kClip:
      return PostRule::kClip;
    case Activation::kSloped:
      return PostRule::kSloped;
    default:
      return PostRule::kPlain;
  }
}

/// Calls f(std::integral_constant<PostRule, rule>) for the layer's rule: the engines instantiate
/// their row loops once per rule.
template <class F>
inline decltype(auto) with_post_rule(const QLayer& layer, F&& f) {
  switch (post_rule(layer)) {
    case PostRule::kLut:
      return f(std::integral_constant<PostRule, PostRule::kLut>{});
    case PostRule::kClip:
      return f(std::integral_constant<PostRule, PostRule::kClip>{});
    case PostRule::kSloped:
      return f(std::integral_constant<PostRule, PostRule::kSloped>{});
    default:
      return f(std::integral_constant<PostRule, PostRule::kPlain>{});
  }
}

/// Whether the activation never decreases as its input grows (then max-pooling commutes with
/// it, which the functional engine uses to pool accumulators first).
inline bool monotone_activation(const QLayer& layer) {
  switch (layer.activation) {
    case Activation::kSloped:
      for (const float s : layer.unary.slope) {
        if (s < 0.0f) {
          return false;
        }
      }
      return layer.unary.fn != UnaryFn::kLeakyRelu || layer.unary.alpha >= 0.0f;
    case Activation::kLut:
      return layer.unary.fn != UnaryFn::kHardSwish && layer.unary.fn != UnaryFn::kSilu;
    default:
      return true;
  }
}

/// Post-processing of one array output: accumulator (+ bias, wrapped) -> activate_int.
template <PostRule kRule>
inline int32_t post_process_int_as(int64_t acc, int out_channel, const QLayer& layer,
                                   int accumulator_bits) {
  const int32_t total = wrap_accumulator(acc + layer.bias[out_channel], accumulator_bits);
  return activate_int<kRule>(total, out_channel, layer);
}

inline int32_t post_process_int(int64_t acc, int out_channel, const QLayer& layer,
                                int accumulator_bits) {
  return with_post_rule(layer, [&](auto rule) {
    return post_process_int_as<decltype(rule)::value>(acc, out_channel, layer, accumulator_bits);
  });
}

/// A kUnary layer: its input code through the activation step.
inline int32_t unary_int(int32_t code, int channel, const QLayer& layer) {
  return with_post_rule(
      layer, [&](auto rule) { return activate_int<decltype(rule)::value>(code, channel, layer); });
}

/// Float formats: bias + activation in fp32.
float post_process_float(float acc, int out_channel, const QLayer& layer);
/// Float formats: the activation of a kUnary layer.
float activate_float(float v, int channel, const QLayer& layer);

/// The window geometry of a pooling layer: a global pool covers the whole input.
inline WindowGeom pool_geometry(const QLayer& q) {
  if (q.kind == QOpKind::kGlobalAvgPool) {
    return WindowGeom{q.in_shape.h, q.in_shape.w, 1, 1, 0, 0, 0, 0, false};
  }
  return q.geom;
}

/// The input window of pooling output (oy, ox), clipped to the input: rows [y0, y1), columns
/// [x0, x1), and the average-pool divisor (the window within the padded input with
/// count_include_pad, else the cells inside the input). Every engine and analysis takes windows
/// from here.
struct PoolWindow {
  int y0, y1, x0, x1;
  int divisor;
};
inline PoolWindow pool_window(const WindowGeom& g, const Shape& in, int oy, int ox) {
  const int ys = oy * g.stride_h - g.pad_top;
  const int xs = ox * g.stride_w - g.pad_left;
  PoolWindow w{std::max(ys, 0), std::min(ys + g.kernel_h, in.h), std::max(xs, 0),
               std::min(xs + g.kernel_w, in.w), 0};
  // With count_include_pad the divisor counts the padding but not what a ceil_mode window hangs
  // past it (ONNX and PyTorch agree).
  const int ph = std::min(ys + g.kernel_h, in.h + g.pad_bottom) - ys;
  const int pw = std::min(xs + g.kernel_w, in.w + g.pad_right) - xs;
  w.divisor = g.count_include_pad ? ph * pw : (w.y1 - w.y0) * (w.x1 - w.x0);
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
inline int32_t residual_add_int(int32_t a, int32_t b, const QLayer& layer) {
  const Requant& ra = layer.add_requant[0];
  const Requant& rb = layer.add_requant[1];
  const int64_t sum = int64_t{a} * ra.multiplier + int64_t{b} * rb.multiplier;
  int64_t v = round_shift(sum, ra.shift);
  if (layer.add_relu && v < 0) {
    v = 0;
  }
  return clamp_to(v, layer.out_q);
}

/// Channel gather (kConcat): a code of input `input` rescaled to the output scale. Inputs already
/// at the output scale have the identity multiplier 2^30 / 2^30, so their codes pass unchanged.
inline int32_t concat_int(int32_t code, int input, const QLayer& layer) {
  return clamp_to(requantize(code, layer.add_requant[input]), layer.out_q);
}

/// Elementwise product (kMul): round(a * b * s_a * s_b / s_out), clamped.
inline int32_t mul_int(int32_t a, int32_t b, const QLayer& layer) {
  const Requant& rq = layer.requant[0];
  return clamp_to(round_shift(int64_t{a} * b * rq.multiplier, rq.shift), layer.out_q);
}

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
/// The same for any real multiplier of magnitude below 2^31: 0 gives multiplier 0, a negative
/// one a negative multiplier (PRelu's slopes may be zero or negative).
Requant make_signed_requant(double real_multiplier);

}  // namespace safsim
