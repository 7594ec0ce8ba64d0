// Batched channels-last (NHWC) tensor operations of the functional engine. Integer codes are
// held as floats (exact below 2^24); the rounding rules come from hw_models/arithmetic.h.
#pragma once

#include <vector>

#include "workloads/dataset.h"
#include "workloads/quant_model.h"

namespace safsim {

/// Images [first, first+count) as channels-last input codes (integer formats) or p/255 (float).
void quantize_images_channels_last(const QuantModel& qm, const Dataset& d, int first, int count,
                                   std::vector<float>& out);

/// The GEMM operand of group `group` of an array layer: (batch*OH*OW) x K, K in (kh, kw, c)
/// order over the group's input channels; padding cells hold pad[c] (empty: 0). Returns `in`
/// itself for 1x1 stride-1 unpadded ungrouped kernels, otherwise fills `cols`.
const float* im2col_channels_last(const std::vector<float>& in, const QLayer& q, int batch,
                                  const std::vector<float>& pad, int group,
                                  std::vector<float>& cols);

/// A depthwise array layer (one input and one output channel per group) without im2col:
/// acc[(b, oy, ox), c] = sum over taps of in[(b, iy, ix), c] * w[tap * C + c], the padding cells
/// holding pad[c] (empty: 0). `w` is the layer's K x C weight matrix (row-major, K = kh*kw).
/// The same sum as the per-group GEMMs; exact whenever those are (integer codes below 2^24).
void depthwise_channels_last(const std::vector<float>& in, const QLayer& q, int batch,
                             const std::vector<float>& pad, const float* w,
                             std::vector<float>& acc);

void max_pool_channels_last(const std::vector<float>& in, const QLayer& q, int batch,
                            std::vector<float>& out);
/// The same on raw buffers (`out` holds batch x the output shape), for int32 accumulators.
template <typename T>
void max_pool_channels_last(const T* in, const QLayer& q, int batch, T* out);
/// AveragePool and GlobalAveragePool; integer codes round with avg_pool_round().
void avg_pool_channels_last(const std::vector<float>& in, const QLayer& q, int batch, bool is_float,
                            std::vector<float>& out);
void residual_add_channels_last(const std::vector<float>& a, const std::vector<float>& b,
                                const QLayer& q, bool is_float, std::vector<float>& out);
/// kUnary, kConcat (`in_channels`: each input's channel count) and kMul (`broadcast`: b is one
/// value per channel) of a batch; integer codes follow hw_models/arithmetic.h.
void unary_channels_last(const std::vector<float>& in, const QLayer& q, int batch, bool is_float,
                         std::vector<float>& out);
void concat_channels_last(const std::vector<const std::vector<float>*>& ins,
                          const std::vector<int>& in_channels, const QLayer& q, int batch,
                          bool is_float, std::vector<float>& out);
void mul_channels_last(const std::vector<float>& a, const std::vector<float>& b, bool broadcast,
                       const QLayer& q, int batch, bool is_float, std::vector<float>& out);
/// (batch, H, W, C) -> (batch, C*H*W) in CHW order, as ONNX Flatten of an NCHW tensor.
void flatten_to_chw(const std::vector<float>& in, const Shape& s, int batch,
                    std::vector<float>& out);
/// One image: (H, W, C) -> (C, H, W).
void channels_last_to_chw(const std::vector<float>& in, const Shape& s, std::vector<float>& out);

}  // namespace safsim
