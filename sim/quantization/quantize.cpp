// Post-training quantization: lowering the float IR to array/post-processing ops, calibration
// of activation ranges on training images, and the integer constants of every layer.
#include "sim/quantization/quantize.h"

#include <fmt/format.h>

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
  q.out_channels = l.out_shape.c;
  q.reduction = l.in_shape.c * l.geom.kernel_h * l.geom.kernel_w;
  return q;
}

// Fuses a ReLU/Sigmoid into the op that produced its input (array layer or residual add).
void fuse_activation(const Layer& l, QLayer& producer, int consumers) {
  const bool relu = l.kind == LayerKind::kRelu;
  if (consumers == 1 && producer.kind == QOpKind::kArray &&
      producer.activation == Activation::kNone) {
    producer.activation = relu ? Activation::kRelu : Activation::kSigmoid;
    return;
  }
  if (consumers == 1 && relu && producer.kind == QOpKind::kAdd && !producer.add_relu) {
    producer.add_relu = true;
    return;
  }
  throw ModelError(fmt::format(
      "node '{}' (op {}): the accelerator applies activations in the post-processing unit right "
      "after a Conv/Gemm/MatMul (or ReLU after a residual Add) whose output has no other reader",
      l.name, l.onnx_op));
}

// The layer structure the accelerator executes, without any numbers yet.
QuantModel lower(const Model& m) {
  QuantModel qm;
  qm.name = m.name;
  qm.input_shape = m.input_shape;
  const std::vector<int> consumers = consumer_counts(m);
  std::vector<int> to_q(m.layers.size(), -1);
  auto mapped = [&](int ir) { return ir < 0 ? -1 : to_q[ir]; };
  for (size_t i = 0; i < m.layers.size(); ++i) {
    const Layer& l = m.layers[i];
    if (l.kind == LayerKind::kRelu || l.kind == LayerKind::kSigmoid) {
      const int p = mapped(l.inputs[0]);
      if (p < 0) {
        throw ModelError(fmt::format("node '{}' (op {}) applies an activation to the model input",
                                     l.name, l.onnx_op));
      }
      fuse_activation(l, qm.layers[p], consumers[l.inputs[0]]);
      to_q[i] = p;
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
        // Fused into their producer above; reaching here is an importer bug.
        throw std::logic_error("quantize: unfused activation layer " + l.name);
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

// Bias, requantization and (for Sigmoid) the lookup table of one array layer.
void quantize_array_constants(QLayer& q, const Layer& l, const ActQuant& in,
                              const ActivationRange& r, int act_bits) {
  q.bias.resize(q.out_channels);
  q.requant.resize(q.out_channels);
  if (q.activation == Activation::kSigmoid) {
    q.pre_q = signed_quant(act_bits, r.pre_max_abs);
    q.out_q = unsigned_quant(act_bits, 1.0f);
    q.sigmoid_lut.resize(size_t(q.pre_q.qmax - q.pre_q.qmin) + 1);
    for (int32_t p = q.pre_q.qmin; p <= q.pre_q.qmax; ++p) {
      const double s = 1.0 / (1.0 + std::exp(-double(p) * q.pre_q.scale));
      q.sigmoid_lut[p - q.pre_q.qmin] = static_cast<int32_t>(std::lround(s * q.out_q.qmax));
    }
  } else if (q.activation == Activation::kRelu) {
    q.out_q = unsigned_quant(act_bits, r.out_max_abs);
  } else {
    q.out_q = signed_quant(act_bits, r.out_max_abs);
  }
  const ActQuant& target = q.activation == Activation::kSigmoid ? q.pre_q : q.out_q;
  for (int o = 0; o < q.out_channels; ++o) {
    const double acc_scale = double(in.scale) * q.weight_scale[o];
    q.bias[o] = static_cast<int32_t>(std::llround(l.bias[o] / acc_scale));
    q.requant[o] = make_requant(acc_scale / target.scale);
  }
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
