// Decoding an array layer's weights and choosing an exact GEMM precision (see array_weights.h).
#include "sim/engines/array_weights.h"

#include <algorithm>
#include <cmath>
#include <mutex>

namespace safsim {

void fix_gemm_blocking() {
  static std::once_flag once;
  std::call_once(once, [] { Eigen::setCpuCacheSizes(48 << 10, 2 << 20, 32 << 20); });
}

int channels_last_row(const QLayer& q, int k) {
  const int khw = q.geom.kernel_h * q.geom.kernel_w;
  const int c = k / khw;
  const int r = k % khw;
  return r * q.group_in() + c;
}

namespace {

// Every partial sum of an integer GEMM is bounded by max_o sum_k |w_ok| * max|a|. If that bound
// is below 2^24 (2^53), each fp32 (fp64) operation is on integers it represents exactly, so the
// GEMM is exact whatever the summation order.
double accumulator_bound(const std::vector<int64_t>& w, int k_count, int o_count,
                         const ActQuant& in) {
  const double max_in = std::max(std::abs(double(in.qmin)), std::abs(double(in.qmax)));
  double bound = 0.0;
  for (int o = 0; o < o_count; ++o) {
    double s = 0.0;
    for (int k = 0; k < k_count; ++k) {
      s += std::abs(double(w[size_t(k) * o_count + o]));
    }
    bound = std::max(bound, s * max_in);
  }
  return bound;
}

// The activation offset the int8 kernel needs for layer q's input (0 unsigned, 128 signed), or
// -1 when the layer cannot take the kernel exactly.
int int8_offset(const QuantModel& qm, const QLayer& q, const std::vector<int64_t>& w,
                double bound) {
  const ActQuant& in = q.inputs[0] < 0 ? qm.input_q : qm.layers[size_t(q.inputs[0])].out_q;
  const bool depthwise = q.groups > 1 && q.group_in() == 1 && q.group_out() == 1;
  if (!int8_gemm_enabled() || depthwise || in.bits > 8 || bound >= 2147483648.0) {
    return -1;
  }
  for (int64_t v : w) {
    if (v < -128 || v > 127) {
      return -1;
    }
  }
  const int offset = in.is_unsigned ? 0 : 128;
  for (int32_t p : q.pad_code) {
    if (p + offset < 0 || p + offset > 255) {
      return -1;
    }
  }
  return offset;
}

GemmPrecision choose_precision(double bound) {
  if (bound < 16777216.0) {
    return GemmPrecision::kFloat;
  }
  return bound < 9007199254740992.0 ? GemmPrecision::kDouble : GemmPrecision::kInt64;
}

}  // namespace

ArrayWeights decode_weights(const QuantModel& qm, const QLayer& q,
                            const std::vector<uint32_t>& stored, const ReadPath& rp) {
  const int kc = q.reduction, oc = q.out_channels;
  // The read path decodes the whole layer (SEC-DED decodes a group of words at once).
  const std::vector<uint32_t> words = rp.decode_words(stored);
  ArrayWeights aw;
  if (qm.is_float()) {
    aw.wf.resize(kc, oc);
    for (int o = 0; o < oc; ++o) {
      for (int k = 0; k < kc; ++k) {
        aw.wf(channels_last_row(q, k), o) = rp.format.to_float(words[size_t(o) * kc + k]);
      }
    }
    return aw;
  }
  aw.wi.resize(size_t(kc) * oc);
  for (int o = 0; o < oc; ++o) {
    for (int k = 0; k < kc; ++k) {
      aw.wi[size_t(channels_last_row(q, k)) * oc + o] = rp.format.to_int(words[size_t(o) * kc + k]);
    }
  }
  const ActQuant& in = q.inputs[0] < 0 ? qm.input_q : qm.layers[q.inputs[0]].out_q;
  const double bound = accumulator_bound(aw.wi, kc, oc, in);
  const int offset = int8_offset(qm, q, aw.wi, bound);
  aw.precision = offset >= 0 ? GemmPrecision::kInt8 : choose_precision(bound);
  double max_bias = 0.0;
  for (int32_t b : q.bias) {
    max_bias = std::max(max_bias, std::abs(double(b)));
  }
  aw.monotone = bound + max_bias < std::ldexp(1.0, qm.accumulator_bits - 1);
  if (aw.precision == GemmPrecision::kInt8) {
    aw.i8 = pack_int8_weights(aw.wi, kc, oc, q.groups, offset);
  } else if (aw.precision == GemmPrecision::kFloat) {
    aw.wf =
        Eigen::Map<const Eigen::Matrix<int64_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            aw.wi.data(), kc, oc)
            .cast<float>();
  } else if (aw.precision == GemmPrecision::kDouble) {
    aw.wd =
        Eigen::Map<const Eigen::Matrix<int64_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            aw.wi.data(), kc, oc)
            .cast<double>();
  }
  return aw;
}

}  // namespace safsim
