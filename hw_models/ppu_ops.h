// The post-processing unit's elementwise and channel ops on one image's CHW tensors, for codes
// (integer formats) and fp32 values. The rules are hw_models/arithmetic.h's; the PPU, the direct
// reference (sim/engines/reference.cpp) and the analyses share these loops.
#pragma once

#include <cstdint>
#include <vector>

#include "hw_models/arithmetic.h"

namespace safsim {

/// kUnary: every element through the activation (channel = element / (H * W)).
inline void unary_chw(const QLayer& q, const int32_t* in, int32_t* out) {
  const int64_t plane = int64_t{q.in_shape.h} * q.in_shape.w;
  with_post_rule(q, [&](auto rule) {
    for (int c = 0; c < q.in_shape.c; ++c) {
      for (int64_t i = c * plane; i < (c + 1) * plane; ++i) {
        out[i] = activate_int<decltype(rule)::value>(in[i], c, q);
      }
    }
  });
}
inline void unary_chw(const QLayer& q, const float* in, float* out) {
  const int64_t plane = int64_t{q.in_shape.h} * q.in_shape.w;
  for (int c = 0; c < q.in_shape.c; ++c) {
    for (int64_t i = c * plane; i < (c + 1) * plane; ++i) {
      out[i] = activate_float(in[i], c, q);
    }
  }
}

/// kConcat: output channel c is channel_map[c] of its input, rescaled (codes) or copied.
inline void concat_chw(const QLayer& q, const std::vector<const int32_t*>& ins, int32_t* out) {
  const int64_t plane = int64_t{q.out_shape.h} * q.out_shape.w;
  for (size_t c = 0; c < q.channel_map.size(); ++c) {
    const ChannelSource& s = q.channel_map[c];
    const int32_t* from = ins[size_t(s.input)] + s.channel * plane;
    for (int64_t i = 0; i < plane; ++i) {
      out[int64_t(c) * plane + i] = concat_int(from[i], s.input, q);
    }
  }
}
inline void concat_chw(const QLayer& q, const std::vector<const float*>& ins, float* out) {
  const int64_t plane = int64_t{q.out_shape.h} * q.out_shape.w;
  for (size_t c = 0; c < q.channel_map.size(); ++c) {
    const ChannelSource& s = q.channel_map[c];
    const float* from = ins[size_t(s.input)] + s.channel * plane;
    std::copy(from, from + plane, out + int64_t(c) * plane);
  }
}

/// kMul: a * b, b broadcast over H x W when it is C x 1 x 1.
template <class T>
inline void mul_chw(const QLayer& q, const Shape& b_shape, const T* a, const T* b, T* out) {
  const int64_t plane = int64_t{q.out_shape.h} * q.out_shape.w;
  const bool broadcast = b_shape.size() != q.out_shape.size();
  for (int64_t i = 0; i < q.out_shape.size(); ++i) {
    const T bv = b[broadcast ? i / plane : i];
    if constexpr (std::is_same_v<T, float>) {
      out[i] = a[i] * bv;
    } else {
      out[i] = mul_int(a[i], bv, q);
    }
  }
}

/// Whether a PPU layer reads element `element` of its input number `input` (activation flips
/// there are then effective, docs/faults.md).
bool ppu_reads_input(const QLayer& q, int input, int64_t element);

}  // namespace safsim
