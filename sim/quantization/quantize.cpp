// Post-training quantization: lowering the float IR to array/post-processing ops, calibration
// of activation ranges on training images, and the integer constants of every layer.
#include "sim/quantization/quantize.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "base/errors.h"
#include "hw_models/arithmetic.h"
#include "sim/engines/functional_engine.h"

namespace safsim {
namespace {

// Counts how many layers read each layer's output (activation fusion needs exactly one).
std::vector<int> consumer_counts(const Model& m) {
  std::vector<int> n(m.layers.size(), 0);
  for (const Layer& l : m.layers) {
    for (int in : l.inputs) {
      if (in >= 0) {
        ++n[in];
      }
    }
  }
  return n;
}

QLayer lower_array_layer(const Layer& l) {
  QLayer q;
  q.kind = QOpKind::kArray;
  q.is_linear = l.is_linear;
  q.geom = l.geom;
  q.groups = l.groups;
  q.out_channels = l.out_shape.c;
  q.reduction = l.in_shape.c / l.groups * l.geom.kernel_h * l.geom.kernel_w;
  q.pad_value = l.pad_value;
  return q;
}

bool is_activation(const Layer& l) {
  return l.kind == LayerKind::kRelu || l.kind == LayerKind::kSigmoid || l.kind == LayerKind::kUnary;
}

// The post-processing rule and fp32 definition of an activation layer.
void set_activation(const Layer& l, QLayer& q) {
  if (l.kind == LayerKind::kRelu) {
    q.activation = Activation::kRelu;
    return;
  }
  q.unary = l.unary;
  if (l.kind == LayerKind::kSigmoid) {
    q.unary = UnaryOp{};
    q.unary.fn = UnaryFn::kSigmoid;
  }
  switch (q.unary.fn) {
    case UnaryFn::kClip:
      q.activation = Activation::kClip;
      break;
    case UnaryFn::kLeakyRelu:
    case UnaryFn::kPRelu:
      q.activation = Activation::kSloped;
      break;
    default:
      q.activation = Activation::kLut;
  }
}

// Fuses an activation into the op that produced its input when nothing else reads that output:
// an array layer takes any activation, a residual add a ReLU. Returns false when it cannot.
bool fuse_activation(const Layer& l, QLayer& producer, int consumers) {
  if (consumers != 1) {
    return false;
  }
  if (producer.kind == QOpKind::kArray && producer.activation == Activation::kNone) {
    set_activation(l, producer);
    return true;
  }
  if (l.kind == LayerKind::kRelu && producer.kind == QOpKind::kAdd && !producer.add_relu) {
    producer.add_relu = true;
    return true;
  }
  return false;
}

// The layer structure the accelerator executes, without any numbers yet. An activation that
// cannot be fused runs alone in the post-processing unit (kUnary).
QuantModel lower(const Model& m) {
  QuantModel qm;
  qm.name = m.name;
  qm.input_shape = m.input_shape;
  const std::vector<int> consumers = consumer_counts(m);
  std::vector<int> to_q(m.layers.size(), -1);
  auto mapped = [&](int ir) { return ir < 0 ? -1 : to_q[ir]; };
  for (size_t i = 0; i < m.layers.size(); ++i) {
    const Layer& l = m.layers[i];
    const int src = l.inputs[0];
    if (is_activation(l) && src >= 0 &&
        fuse_activation(l, qm.layers[size_t(mapped(src))], consumers[size_t(src)])) {
      to_q[i] = mapped(src);
      continue;
    }
    QLayer q;
    switch (l.kind) {
      case LayerKind::kConv2d:
        q = lower_array_layer(l);
        break;
      case LayerKind::kMaxPool:
        q.kind = QOpKind::kMaxPool;
        break;
      case LayerKind::kAvgPool:
        q.kind = QOpKind::kAvgPool;
        break;
      case LayerKind::kGlobalAvgPool:
        q.kind = QOpKind::kGlobalAvgPool;
        break;
      case LayerKind::kFlatten:
        q.kind = QOpKind::kFlatten;
        break;
      case LayerKind::kAdd:
        q.kind = QOpKind::kAdd;
        break;
      case LayerKind::kRelu:
      case LayerKind::kSigmoid:
      case LayerKind::kUnary:
        q.kind = QOpKind::kUnary;
        set_activation(l, q);
        break;
      case LayerKind::kConcat:
        q.kind = QOpKind::kConcat;
        q.channel_map = l.channel_map;
        break;
      case LayerKind::kMul:
        q.kind = QOpKind::kMul;
        break;
    }
    q.name = l.name;
    q.geom = l.geom;
    q.in_shape = l.in_shape;
    q.out_shape = l.out_shape;
    for (int in : l.inputs) {
      q.inputs.push_back(mapped(in));
    }
    to_q[i] = static_cast<int>(qm.layers.size());
    qm.layers.push_back(std::move(q));
  }
  return qm;
}

// Fills float-format weights (IEEE bit patterns) and biases from the IR.
void fill_float(QuantModel& qm, const Model& m, const WordFormat& fmt) {
  qm.weight_format = fmt;
  size_t ir = 0;
  for (QLayer& q : qm.layers) {
    if (q.kind != QOpKind::kArray) {
      continue;
    }
    while (m.layers[ir].kind != LayerKind::kConv2d) {
      ++ir;
    }
    const Layer& l = m.layers[ir++];
    q.weight_words.resize(l.weight.size());
    for (size_t k = 0; k < l.weight.size(); ++k) {
      q.weight_words[k] = fmt.from_float(l.weight[k]);
    }
    q.bias_float = l.bias;
    q.weight_scale.assign(q.out_channels, 1.0f);
  }
}

ActQuant unsigned_quant(int bits, float max_value) {
  ActQuant a;
  a.bits = bits;
  a.is_unsigned = true;
  a.qmin = 0;
  a.qmax = (1 << bits) - 1;
  a.scale = max_value > 0.0f ? max_value / static_cast<float>(a.qmax) : 1.0f;
  return a;
}

ActQuant signed_quant(int bits, float max_abs) {
  ActQuant a;
  a.bits = bits;
  a.is_unsigned = false;
  a.qmax = (1 << (bits - 1)) - 1;
  a.qmin = -a.qmax;
  a.scale = max_abs > 0.0f ? max_abs / static_cast<float>(a.qmax) : 1.0f;
  return a;
}

// Symmetric weight quantization (per layer or per output channel) of one array layer.
void quantize_weights(QLayer& q, const Layer& l, const WordFormat& fmt, bool per_channel) {
  const int o_count = q.out_channels;
  const int k_count = q.reduction;
  q.weight_scale.assign(o_count, 1.0f);
  float layer_max = 0.0f;
  for (float w : l.weight) {
    layer_max = std::max(layer_max, std::fabs(w));
  }
  q.weight_words.resize(l.weight.size());
  for (int o = 0; o < o_count; ++o) {
    float max_abs = layer_max;
    if (per_channel) {
      max_abs = 0.0f;
      for (int k = 0; k < k_count; ++k) {
        max_abs = std::max(max_abs, std::fabs(l.weight[size_t(o) * k_count + k]));
      }
    }
    const float scale = max_abs > 0.0f ? max_abs / static_cast<float>(fmt.max_value()) : 1.0f;
    q.weight_scale[o] = scale;
    for (int k = 0; k < k_count; ++k) {
      const size_t idx = size_t(o) * k_count + k;
      const long v = std::lround(l.weight[idx] / scale);
      q.weight_words[idx] =
          fmt.to_word(static_cast<int32_t>(std::clamp<long>(v, fmt.min_value(), fmt.max_value())));
    }
  }
}

// The largest real output an activation's codes cover: the bounded functions keep their whole
// range (as 003 does for Sigmoid), the others the calibrated one.
float activation_range(const QLayer& q, const ActivationRange& r) {
  const bool bounded = q.activation == Activation::kLut &&
                       (q.unary.fn == UnaryFn::kSigmoid || q.unary.fn == UnaryFn::kHardSigmoid ||
                        q.unary.fn == UnaryFn::kTanh);
  return bounded ? 1.0f : r.out_max_abs;
}

// Unsigned codes for activations that cannot be negative.
bool activation_unsigned(const QLayer& q) {
  switch (q.activation) {
    case Activation::kRelu:
      return true;
    case Activation::kClip:
      return q.unary.lo >= 0.0f;
    case Activation::kLut:
      return q.unary.fn == UnaryFn::kSigmoid || q.unary.fn == UnaryFn::kHardSigmoid;
    default:
      return false;
  }
}

// Requantization and activation constants of a post-processing step whose input value on
// channel c has the real scale in_scale(c): an array layer's accumulator, or a kUnary layer's
// input code. For kLut, `pre` is the pre-activation quantization the table is indexed by.
template <class InScale>
void quantize_activation(QLayer& q, int channels, InScale&& in_scale, const ActQuant& pre,
                         const ActivationRange& r, int act_bits) {
  const float range = activation_range(q, r);
  q.out_q =
      activation_unsigned(q) ? unsigned_quant(act_bits, range) : signed_quant(act_bits, range);
  const bool lut = q.activation == Activation::kLut;
  if (lut) {
    q.pre_q = pre;
    // Codes of the function's value: v / s_out, written v * qmax / range so that a unit range
    // (Sigmoid) rounds exactly as v * qmax.

    q.lut.resize(size_t(q.pre_q.qmax - q.pre_q.qmin) + 1);
    for (int32_t p = q.pre_q.qmin; p <= q.pre_q.qmax; ++p) {
      const double v = q.unary.apply(double(p) * q.pre_q.scale, 0);
      const int64_t code =
          std::llround(range > 0.0f ? v * q.out_q.qmax / range : v / q.out_q.scale);
      q.lut[size_t(p - q.pre_q.qmin)] = clamp_to(code, q.out_q);
    }
  }
  const ActQuant& target = lut ? q.pre_q : q.out_q;
  q.requant.resize(size_t(channels));
  for (int c = 0; c < channels; ++c) {
    q.requant[size_t(c)] = make_requant(in_scale(c) / target.scale);
  }
  if (q.activation == Activation::kSloped) {
    q.neg_requant.resize(size_t(channels));
    for (int c = 0; c < channels; ++c) {
      q.neg_requant[size_t(c)] =
          make_signed_requant(in_scale(c) * q.unary.negative_slope(c) / q.out_q.scale);
    }
  }
  if (q.activation == Activation::kClip) {
    const auto code = [&](float bound) {
      const double v =
          std::clamp(double(bound) / q.out_q.scale, double(q.out_q.qmin), double(q.out_q.qmax));
      return static_cast<int32_t>(std::lround(v));
    };
    q.clip_lo = code(q.unary.lo);
    q.clip_hi = code(q.unary.hi);
  }
}

// Bias, requantization, activation constants and padding codes of one array layer.
void quantize_array_constants(QLayer& q, const Layer& l, const ActQuant& in,
                              const ActivationRange& r, int act_bits) {
  q.bias.resize(q.out_channels);
  const auto acc_scale = [&](int o) { return double(in.scale) * q.weight_scale[size_t(o)]; };
  quantize_activation(q, q.out_channels, acc_scale, signed_quant(act_bits, r.pre_max_abs), r,
                      act_bits);
  for (int o = 0; o < q.out_channels; ++o) {
    q.bias[o] = static_cast<int32_t>(std::llround(l.bias[o] / acc_scale(o)));
  }
  q.pad_code.clear();
  for (float v : l.pad_value) {
    q.pad_code.push_back(clamp_to(std::llround(double(v) / in.scale), in));
  }
}

// An activation alone in the post-processing unit: its input codes are requantized to the
// output scale (kLut: indexed directly, the identity requantization 2^30 / 2^30).
void quantize_unary(QLayer& q, const ActQuant& in, const ActivationRange& r, int act_bits) {
  quantize_activation(
      q, q.in_shape.c, [&](int) { return double(in.scale); }, in, r, act_bits);
}

// Channel gather: every input rescaled to the calibrated output scale (the identity for an input
// already at it, and for a Split/Slice/shuffle of one input).
void quantize_concat(QLayer& q, const std::vector<const ActQuant*>& ins, const ActivationRange& r,
                     int act_bits) {
  if (ins.size() == 1) {
    q.out_q = *ins[0];
    q.add_requant = {make_requant(1.0)};
    return;
  }
  bool all_unsigned = true;
  for (const ActQuant* a : ins) {
    all_unsigned = all_unsigned && a->is_unsigned;
  }
  q.out_q = all_unsigned ? unsigned_quant(act_bits, r.out_max_abs)
                         : signed_quant(act_bits, r.out_max_abs);
  q.add_requant.clear();
  for (const ActQuant* a : ins) {
    q.add_requant.push_back(make_requant(double(a->scale) / q.out_q.scale));
  }
}

void quantize_mul(QLayer& q, const ActQuant& a, const ActQuant& b, const ActivationRange& r,
                  int act_bits) {
  q.out_q = a.is_unsigned && b.is_unsigned ? unsigned_quant(act_bits, r.out_max_abs)
                                           : signed_quant(act_bits, r.out_max_abs);
  q.requant = {make_requant(double(a.scale) * b.scale / q.out_q.scale)};
}

// Residual add: both inputs to the output scale with one shared shift.
void quantize_add(QLayer& q, const ActQuant& a, const ActQuant& b, const ActivationRange& r,
                  int act_bits) {
  q.out_q =
      q.add_relu ? unsigned_quant(act_bits, r.out_max_abs) : signed_quant(act_bits, r.out_max_abs);
  const double ma = double(a.scale) / q.out_q.scale;
  const double mb = double(b.scale) / q.out_q.scale;
  const Requant big = make_requant(std::max(ma, mb));
  q.add_requant.assign(2, big);
  const double unit = std::ldexp(1.0, big.shift);
  q.add_requant[0].multiplier = static_cast<int32_t>(std::llround(ma * unit));
  q.add_requant[1].multiplier = static_cast<int32_t>(std::llround(mb * unit));
}

const ActQuant& input_quant(const QuantModel& qm, int index) {
  return index < 0 ? qm.input_q : qm.layers[index].out_q;
}

}  // namespace

QuantModel quantize(const Model& model, const QuantConfig& qc, const Dataset& calibration) {
  const WordFormat fmt = make_word_format(qc.weight_format, qc.weight_bits);
  QuantModel qm = lower(model);
  qm.accumulator_bits = qc.accumulator_bits;
  qm.per_channel = qc.per_channel;
  qm.input_q = unsigned_quant(qc.activation_bits, 1.0f);
  fill_float(qm, model, fmt.is_float() ? fmt : make_word_format(WeightFormat::kFp32, 32));
  if (fmt.is_float()) {
    return qm;  // 003's float formats: weights are IEEE bit patterns, activations fp32
  }
  // Calibrate activation ranges with the fp32 deployment of the same layer structure.
  std::vector<ActivationRange> ranges;
  {
    const FunctionalEngine fp32(qm, deploy_fault_free(qm));
    ranges = fp32.ranges(calibration);
  }
  qm.weight_format = fmt;
  size_t ir = 0;
  for (size_t i = 0; i < qm.layers.size(); ++i) {
    QLayer& q = qm.layers[i];
    q.bias_float.clear();
    try {
      switch (q.kind) {
        case QOpKind::kArray: {
          while (model.layers[ir].kind != LayerKind::kConv2d) {
            ++ir;
          }
          const Layer& l = model.layers[ir++];
          quantize_weights(q, l, fmt, qc.per_channel);
          quantize_array_constants(q, l, input_quant(qm, q.inputs[0]), ranges[i],
                                   qc.activation_bits);
          break;
        }
        case QOpKind::kAdd:
          quantize_add(q, input_quant(qm, q.inputs[0]), input_quant(qm, q.inputs[1]), ranges[i],
                       qc.activation_bits);
          break;
        case QOpKind::kGlobalAvgPool: {
          // Own output scale (see avg_pool_int): s_in / (H*W * s_out) as a fixed-point multiplier.
          const ActQuant& in = input_quant(qm, q.inputs[0]);
          q.out_q = in.is_unsigned ? unsigned_quant(qc.activation_bits, ranges[i].out_max_abs)
                                   : signed_quant(qc.activation_bits, ranges[i].out_max_abs);
          const double count = double(q.in_shape.h) * q.in_shape.w;
          q.requant = {make_requant(double(in.scale) / (count * q.out_q.scale))};
          break;
        }
        case QOpKind::kMaxPool:  // pooling and flatten keep their input's codes and scale
        case QOpKind::kAvgPool:
        case QOpKind::kFlatten:
          q.out_q = input_quant(qm, q.inputs[0]);
          break;
        case QOpKind::kUnary:
          quantize_unary(q, input_quant(qm, q.inputs[0]), ranges[i], qc.activation_bits);
          break;
        case QOpKind::kConcat: {
          std::vector<const ActQuant*> ins;
          for (int in : q.inputs) {
            ins.push_back(&input_quant(qm, in));
          }
          quantize_concat(q, ins, ranges[i], qc.activation_bits);
          break;
        }
        case QOpKind::kMul:
          quantize_mul(q, input_quant(qm, q.inputs[0]), input_quant(qm, q.inputs[1]), ranges[i],
                       qc.activation_bits);
          break;
      }
    } catch (const std::invalid_argument& e) {
      // make_requant() refuses scales no 32-bit multiplier and shift can express.
      throw ModelError(fmt::format(
          "layer '{}': {}: its weights, biases or activation range (max |x| {:g}) are too large "
          "or too small for the integer pipeline; check the model's weights and the "
          "calibration images",
          q.name, e.what(), ranges[i].out_max_abs));
    }
  }
  return qm;
}

}  // namespace safsim
