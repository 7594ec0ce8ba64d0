// An array layer's weights as the functional engine multiplies them: decoded once from the stored
// words through the read path, as a K x O matrix in the precision that keeps the GEMM exact.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "memory/read_path_decoder.h"
#include "sim/engines/int8_gemm.h"
#include "workloads/quant_model.h"

namespace safsim {

// kInt8: the VNNI kernel's int32 sums (sim/engines/int8_gemm.h); the others carry integer codes
// in a type that holds every partial sum exactly.
enum class GemmPrecision { kFloat, kDouble, kInt64, kInt8 };

using RowMatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMatD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Weights of one array layer as a K x O matrix, rows in (kh, kw, c) order to match the
// channels-last im2col; decoded once from the stored words through the read path.
struct ArrayWeights {
  GemmPrecision precision = GemmPrecision::kFloat;
  RowMatF wf;
  RowMatD wd;
  std::vector<int64_t> wi;  // K x O
  Int8Weights i8;           // kInt8 only
  // True when no accumulator can wrap, so post-processing is non-decreasing in the accumulator
  // and a following max-pool may be taken on accumulators first (max commutes with it).
  bool monotone = false;
};

/// Eigen sizes its GEMM blocks from the caches of the CPU it runs on, and the depth of a block
/// decides the order of fp32 sums. Fixing the sizes (48 KiB L1, 2 MiB L2, 32 MiB L3: those the
/// zoo's calibrated models and committed test sets were made with) makes fp32 results — the
/// calibration of every integer model, the float formats, gradients — the same on every machine
/// of the same vector width. Every Eigen user calls it before its first product; idempotent.
void fix_gemm_blocking();

/// The channels-last im2col column of reduction input k ((c, kh, kw) order) of layer `q`.
int channels_last_row(const QLayer& q, int k);

/// Decodes layer `q`'s stored words and picks the GEMM precision: the int8 kernel when it is
/// enabled and exact (weights, input codes and padding codes in 8 bits, every accumulator below
/// 2^31, not a depthwise layer), else from the accumulator bound.
ArrayWeights decode_weights(const QuantModel& qm, const QLayer& q,
                            const std::vector<uint32_t>& stored, const ReadPath& rp);

}  // namespace safsim
