// Exact int8 GEMM for array layers whose weights and input activations fit in 8 bits: u8 x s8
// products summed in int32 by AVX-512 VNNI (vpdpbusd, 64 multiply-adds per instruction).
//
// vpdpbusd multiplies unsigned by signed bytes and wraps (it does not saturate), so with every
// true accumulator bounded below 2^31 the int32 sums are exact in any order, and equal to the
// reference's int64 sums. Signed activations travel with +128 added (u8); the offset's share,
// 128 * sum_k w_ko, is subtracted once per output column (mod 2^32, so exact too).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "workloads/quant_model.h"

namespace safsim {

/// Which kernel the functional engine's integer GEMMs may use. kAuto takes VNNI when the CPU has
/// it and the environment does not say SAFSIM_INT8_GEMM=off; kOff forces the exact fp32/fp64/int64
/// fallback (tests hold both paths to the reference).
enum class Int8GemmMode { kAuto, kOff };

/// Sets the mode for engines built afterwards (tests); the default is kAuto.
void set_int8_gemm_mode(Int8GemmMode mode);
/// Whether engines built now take the VNNI kernel: the CPU has AVX-512 VNNI, the mode is kAuto
/// and SAFSIM_INT8_GEMM is not "off".
bool int8_gemm_enabled();

/// One array layer's weights packed for the kernel, per group: rows of 4 consecutive reduction
/// inputs, each holding the group's output columns (rounded up to 16) as 4 bytes per column, so
/// one 64-byte load gives 16 columns x 4 reduction inputs. Padding rows and columns are 0.
struct Int8Weights {
  int k = 0;           // reduction inputs per group
  int k4 = 0;          // k rounded up to a multiple of 4: the row stride of the u8 operand
  int cols = 0;        // output columns per group
  int cols16 = 0;      // cols rounded up to a multiple of 16
  int act_offset = 0;  // 128 for signed activations (added to each code), else 0
  std::vector<std::vector<int8_t>> packed;    // per group: (k4 / 4) x cols16 x 4
  std::vector<std::vector<int32_t>> preload;  // per group: cols16 values, -offset * sum_k w_ko
};

/// Packs `w` (k x O row-major, as ArrayWeights::wi: group g owns columns [g*O/G, (g+1)*O/G) and
/// reads its own k reduction inputs) for the kernel; every value must be in [-128, 127].
Int8Weights pack_int8_weights(const std::vector<int64_t>& w, int k, int out_channels, int groups,
                              int act_offset);

/// Rows the kernel computes at once; the u8 operand and the result must have their row count
/// rounded up to a multiple of this (the extra rows are computed and ignored).
constexpr int kInt8GemmRowBlock = 24;

/// c[r * ldc + o] = sum_k a[r * w.k4 + k] * w_group[k][o] for r < rows (a multiple of
/// kInt8GemmRowBlock) and o < w.cols, exactly (mod 2^32). Requires int8_gemm_enabled().
void int8_gemm(const uint8_t* a, int rows, const Int8Weights& w, int group, int32_t* c, int ldc);

// The kernel's operand (both require int8_gemm_enabled()).

/// Bytes past its end that the operand's input buffer must have (read, never used).
constexpr size_t kInt8Slack = 64;

/// out[i] = in[i] + offset for the first `count` codes: a layer's input as the kernel reads it,
/// every code plus offset in [0, 255]. `out` holds count + kInt8Slack bytes.
void codes_to_u8(const float* in, size_t count, int offset, uint8_t* out);

/// The int8 GEMM's operand of group `group` from codes_to_u8's bytes: rows_padded x k4 bytes,
/// row r < batch*OH*OW holding the bytes im2col_channels_last would hold as floats, the padding
/// cells their channel's pad code plus `offset`; the columns past K and the rows past
/// batch*OH*OW are 0. `cols` is grown to at least rows_padded x k4 + kInt8Slack bytes, never
/// shrunk; what lies past rows_padded x k4 is not part of the operand.
void im2col_u8_channels_last(const uint8_t* in, const QLayer& q, int batch,
                             const std::vector<float>& pad, int group, int offset, int k4,
                             int rows_padded, std::vector<uint8_t>& cols);

}  // namespace safsim
