// The VNNI int8 GEMM and its operand (see int8_gemm.h). The kernel functions carry their own target
// attribute, so the binary runs on CPUs without AVX-512 VNNI as long as int8_gemm_enabled() says no
// first.
#include "sim/engines/int8_gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

namespace safsim {
namespace {

std::atomic<Int8GemmMode> g_mode{Int8GemmMode::kAuto};

bool cpu_has_vnni() {
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                          __builtin_cpu_supports("avx512vnni");
  return has;
}

bool env_allows() {
  static const bool allows = [] {
    const char* v = std::getenv("SAFSIM_INT8_GEMM");
    return v == nullptr || std::string(v) != "off";
  }();
  return allows;
}

#define SAFSIM_VNNI __attribute__((target("avx512f,avx512bw,avx512vnni,avx512vl")))

// acc + the u8 x s8 dot products of a and b, in place. GCC 12 compiles _mm512_dpbusd_epi32 in
// this kernel with two register copies around every instruction (the accumulator moved out and
// back), which cost a third of the kernel's time on resnet20; the one-instruction asm keeps the
// accumulator in its register. Same instruction, same result.
SAFSIM_VNNI inline __m512i dpbusd(__m512i acc, __m512i a, __m512i b) {
  asm("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(a), "v"(b));
  return acc;
}

// MR rows x NR vectors of 16 columns, over all of the reduction. MR * NR <= 24 accumulators
// leave registers for the NR weight vectors and the broadcast activations.
template <int MR, int NR>
SAFSIM_VNNI void tile(const uint8_t* a, int k4, const int8_t* b, int b_stride,
                      const int32_t* preload, int32_t* c, int ldc, const __mmask16* masks) {
  __m512i acc[MR][NR];
  for (int j = 0; j < NR; ++j) {
    const __m512i p = _mm512_loadu_si512(preload + 16 * j);
    for (int m = 0; m < MR; ++m) {
      acc[m][j] = p;
    }
  }
  for (int kq = 0; kq < k4; kq += 4) {
    __m512i bv[NR];
    for (int j = 0; j < NR; ++j) {
      bv[j] = _mm512_loadu_si512(b + size_t(kq) * b_stride / 4 + 64 * j);
    }
    for (int m = 0; m < MR; ++m) {
      int32_t four;
      std::memcpy(&four, a + size_t(m) * k4 + kq, 4);
      const __m512i av = _mm512_set1_epi32(four);
      for (int j = 0; j < NR; ++j) {
        acc[m][j] = dpbusd(acc[m][j], av, bv[j]);
      }
    }
  }
  for (int m = 0; m < MR; ++m) {
    for (int j = 0; j < NR; ++j) {
      _mm512_mask_storeu_epi32(c + size_t(m) * ldc + 16 * j, masks[j], acc[m][j]);
    }
  }
}

// One block of NR * 16 columns over every row, MR rows at a time (rows % MR == 0).
template <int MR, int NR>
SAFSIM_VNNI void column_block(const uint8_t* a, int rows, const Int8Weights& w, const int8_t* b,
                              const int32_t* preload, int32_t* c, int ldc, int col0) {
  __mmask16 masks[NR];
  for (int j = 0; j < NR; ++j) {
    const int left = w.cols - col0 - 16 * j;
    masks[j] = left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1u);
  }
  const int b_stride = w.cols16 * 4;
  for (int r = 0; r < rows; r += MR) {
    tile<MR, NR>(a + size_t(r) * w.k4, w.k4, b + size_t(col0) * 4, b_stride, preload + col0,
                 c + size_t(r) * ldc + col0, ldc, masks);
  }
}

// Kernel rows are often a few bytes (5 for a 5x5 kernel on one channel) and rarely more than a
// few hundred: whole 64-byte moves copy them without a call or a byte loop. They read and write
// up to 63 bytes past the span (masked stores are slow on some cores): the buffers carry that
// slack (kInt8Slack), and every span of an operand row is written in increasing address order, so
// what a move spills is overwritten by the next span, the row's padding or the next row.
// A span of up to 8, 16 or 32 bytes (a 5x5 kernel row of 1 or 6 channels) takes one move of that
// width: a 64-byte store at an arbitrary address mostly straddles two cache lines, a narrow one
// rarely does, and the span width is fixed for a layer, so the branch is always predicted.
SAFSIM_VNNI inline void copy_bytes(const uint8_t* src, size_t n, uint8_t* dst) {
  if (n == 0) {
    return;
  }
  if (n <= 8) {
    uint64_t v;
    std::memcpy(&v, src, 8);
    std::memcpy(dst, &v, 8);
  } else if (n <= 16) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst),
                     _mm_loadu_si128(reinterpret_cast<const __m128i*>(src)));
  } else if (n <= 32) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst),
                        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src)));
  } else {
    for (size_t i = 0; i < n; i += 64) {
      _mm512_storeu_si512(dst + i, _mm512_loadu_si512(src + i));
    }
  }
}

}  // namespace

SAFSIM_VNNI void codes_to_u8(const float* __restrict src, size_t count, int offset,
                             uint8_t* __restrict dst) {
  for (size_t i = 0; i < count; ++i) {
    dst[i] = static_cast<uint8_t>(static_cast<int>(src[i]) + offset);
  }
}

SAFSIM_VNNI void im2col_u8_channels_last(const uint8_t* in, const QLayer& q, int batch,
                                         const std::vector<float>& pad, int group, int offset,
                                         int k4, int rows_padded, std::vector<uint8_t>& cols) {
  const WindowGeom& g = q.geom;
  const Shape& is = q.in_shape;
  const Shape& os = q.out_shape;
  const int cg = q.group_in(), c0 = group * cg;
  const int k = q.reduction;
  const size_t rows = size_t(batch) * os.h * os.w;
  // Grown only: the buffer serves every layer in turn (a shrink and regrow would zero it).
  if (cols.size() < size_t(rows_padded) * k4 + kInt8Slack) {
    cols.resize(size_t(rows_padded) * k4 + kInt8Slack);
  }
  std::vector<uint8_t> pad_cell(static_cast<size_t>(cg) + kInt8Slack);
  for (int c = 0; c < cg; ++c) {
    pad_cell[size_t(c)] =
        static_cast<uint8_t>((pad.empty() ? 0 : int(pad[size_t(c0 + c)])) + offset);
  }
  // Without groups or horizontal dilation, the in-bounds part of a kernel row (kw x C codes) is
  // contiguous in the input and in the operand row: one copy per (position, ky).
  const bool rows_contiguous = q.groups == 1 && g.dilation_w == 1;
  const size_t span = size_t(g.kernel_w) * cg;
  const size_t line_step = size_t(is.w) * is.c * g.dilation_h;
  for (int b = 0; b < batch; ++b) {
    const uint8_t* img = in + size_t(b) * is.size();
    for (int oy = 0; oy < os.h; ++oy) {
      const int iy0 = oy * g.stride_h - g.pad_top;
      const bool y_interior =
          rows_contiguous && iy0 >= 0 && iy0 + (g.kernel_h - 1) * g.dilation_h < is.h;
      for (int ox = 0; ox < os.w; ++ox) {
        uint8_t* row = cols.data() + ((size_t(b) * os.h + oy) * os.w + ox) * k4;
        const int x0 = ox * g.stride_w - g.pad_left;
        if (y_interior && x0 >= 0 && x0 + g.kernel_w <= is.w) {
          // The whole window is inside the input: kh spans, no bounds to check.
          const uint8_t* src = img + (size_t(iy0) * is.w + x0) * is.c;
          for (int ky = 0; ky < g.kernel_h; ++ky) {
            copy_bytes(src + ky * line_step, span, row + ky * span);
          }
          std::fill(row + k, row + k4, uint8_t{0});  // after the spans: they spill into it
          continue;
        }
        for (int ky = 0; ky < g.kernel_h; ++ky) {
          const int iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
          uint8_t* krow = row + size_t(ky) * g.kernel_w * cg;
          const bool y_in = iy >= 0 && iy < is.h;
          const uint8_t* line = img + size_t(y_in ? iy : 0) * is.w * is.c;
          int kx = 0;
          if (rows_contiguous && y_in) {
            // Leading out-of-bounds taps, the in-bounds span, then the trailing ones below.
            const int xa = std::min(std::max(0, -x0), g.kernel_w);
            const int xb = std::max(std::min(g.kernel_w, is.w - x0), xa);
            for (; kx < xa; ++kx) {
              copy_bytes(pad_cell.data(), size_t(cg), krow + size_t(kx) * cg);
            }
            copy_bytes(line + size_t(x0 + xa) * is.c, size_t(xb - xa) * cg, krow + size_t(xa) * cg);
            kx = xb;
          }
          for (; kx < g.kernel_w; ++kx) {
            const int ix = x0 + kx * g.dilation_w;
            uint8_t* dst = krow + size_t(kx) * cg;
            if (!y_in || ix < 0 || ix >= is.w) {
              copy_bytes(pad_cell.data(), size_t(cg), dst);
            } else {
              copy_bytes(line + size_t(ix) * is.c + c0, size_t(cg), dst);
            }
          }
        }
        std::fill(row + k, row + k4, uint8_t{0});  // padding columns: their weights are 0
      }
    }
  }
  std::fill(cols.begin() + std::ptrdiff_t(rows * k4),
            cols.begin() + std::ptrdiff_t(size_t(rows_padded) * k4), uint8_t{0});
}

void set_int8_gemm_mode(Int8GemmMode mode) { g_mode = mode; }

bool int8_gemm_enabled() {
  return g_mode.load() == Int8GemmMode::kAuto && env_allows() && cpu_has_vnni();
}

Int8Weights pack_int8_weights(const std::vector<int64_t>& w, int k, int out_channels, int groups,
                              int act_offset) {
  Int8Weights p;
  p.k = k;
  p.k4 = (k + 3) / 4 * 4;
  p.cols = out_channels / groups;
  p.cols16 = (p.cols + 15) / 16 * 16;
  p.act_offset = act_offset;
  p.packed.resize(size_t(groups));
  p.preload.resize(size_t(groups));
  for (int g = 0; g < groups; ++g) {
    std::vector<int8_t>& b = p.packed[size_t(g)];
    std::vector<int32_t>& pre = p.preload[size_t(g)];
    b.assign(size_t(p.k4) * p.cols16, 0);
    pre.assign(size_t(p.cols16), 0);
    for (int kk = 0; kk < k; ++kk) {
      for (int o = 0; o < p.cols; ++o) {
        const int64_t v = w[size_t(kk) * out_channels + size_t(g) * p.cols + o];
        if (v < -128 || v > 127) {
          throw std::logic_error("pack_int8_weights: weight outside int8");
        }
        b[(size_t(kk / 4) * p.cols16 + o) * 4 + kk % 4] = static_cast<int8_t>(v);
        // The +offset on every activation adds offset * w to the sum: preload its negative.
        pre[size_t(o)] -= static_cast<int32_t>(act_offset * v);
      }
    }
  }
  return p;
}

SAFSIM_VNNI void int8_gemm(const uint8_t* a, int rows, const Int8Weights& w, int group, int32_t* c,
                           int ldc) {
  static_assert(
      kInt8GemmRowBlock % 6 == 0 && kInt8GemmRowBlock % 8 == 0 && kInt8GemmRowBlock % 12 == 0,
      "every tile height divides the row block");
  const int8_t* b = w.packed[size_t(group)].data();
  const int32_t* pre = w.preload[size_t(group)].data();
  int col0 = 0;
  for (; col0 + 64 <= w.cols16; col0 += 64) {
    column_block<6, 4>(a, rows, w, b, pre, c, ldc, col0);
  }
  switch ((w.cols16 - col0) / 16) {
    case 3:
      column_block<8, 3>(a, rows, w, b, pre, c, ldc, col0);
      break;
    case 2:
      column_block<12, 2>(a, rows, w, b, pre, c, ldc, col0);
      break;
    case 1:
      column_block<12, 1>(a, rows, w, b, pre, c, ldc, col0);
      break;
    default:
      break;
  }
}

}  // namespace safsim
