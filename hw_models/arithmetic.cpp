// Definitions of the post-processing arithmetic shared by both engines.
#include "hw_models/arithmetic.h"

#include <cmath>
#include <stdexcept>

namespace safsim {

float activate_float(float v, int channel, const QLayer& layer) {
  switch (layer.activation) {
    case Activation::kRelu:
      return v > 0.0f ? v : 0.0f;
    case Activation::kLut:
    case Activation::kClip:
    case Activation::kSloped:
      return layer.unary.apply(v, channel);
    case Activation::kNone:
      break;
  }
  return v;
}

float post_process_float(float acc, int out_channel, const QLayer& layer) {
  return activate_float(acc + layer.bias_float[out_channel], out_channel, layer);
}

Requant make_requant(double real_multiplier) {
  if (!(real_multiplier > 0.0) || real_multiplier >= 2147483648.0) {
    throw std::invalid_argument("requantization multiplier out of range");
  }
  int exponent = 0;
  const double mantissa = std::frexp(real_multiplier, &exponent);  // in [0.5, 1)
  int64_t m = std::llround(mantissa * 2147483648.0);               // in [2^30, 2^31]
  if (m == (int64_t{1} << 31)) {
    m /= 2;
    ++exponent;
  }
  Requant rq;
  rq.multiplier = static_cast<int32_t>(m);
  rq.shift = 31 - exponent;
  if (rq.shift < 1 || rq.shift > 62) {
    throw std::invalid_argument("requantization shift out of range");
  }
  return rq;
}

Requant make_signed_requant(double real_multiplier) {
  if (real_multiplier == 0.0) {
    return Requant{0, 31};
  }
  Requant rq = make_requant(std::fabs(real_multiplier));
  if (real_multiplier < 0.0) {
    rq.multiplier = -rq.multiplier;
  }
  return rq;
}

}  // namespace safsim
