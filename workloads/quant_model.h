// The deployed, quantized network: what the accelerator executes. Array layers (conv/linear)
// hold their weights as stored NVM words; every other op runs in the post-processing unit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "workloads/model.h"
#include "workloads/word_format.h"

namespace safsim {

/// Quantization of one activation tensor: real = scale * q, q in [qmin, qmax]. Zero point is 0.
/// Tensors that cannot be negative (the input image, ReLU and Sigmoid outputs) are unsigned.
struct ActQuant {
  float scale = 1.0f;
  int bits = 8;
  bool is_unsigned = false;
  int32_t qmin = -127;
  int32_t qmax = 127;
};

/// Fixed-point rescale: y = round_half_up(x * multiplier / 2^shift), multiplier in [2^30, 2^31).
struct Requant {
  int32_t multiplier = 1 << 30;
  int shift = 30;
};

enum class QOpKind {
  kArray,  // conv or linear on the systolic array, then bias + requant + activation
  kMaxPool,
  kAvgPool,
  kGlobalAvgPool,
  kAdd,      // residual add (+ optional ReLU), both inputs rescaled to the output scale
  kFlatten,  // reinterpretation only (CHW order is kept)
};

enum class Activation { kNone, kRelu, kSigmoid };

const char* to_string(QOpKind k);
const char* to_string(Activation a);

struct QLayer {
  std::string name;
  QOpKind kind = QOpKind::kArray;
  bool is_linear = false;   // kArray from Gemm/MatMul
  std::vector<int> inputs;  // indices into QuantModel::layers; -1 is the input image
  Shape in_shape, out_shape;
  WindowGeom geom;  // kArray and pooling
  ActQuant out_q;   // quantization of this layer's output

  // ---- kArray ----
  int out_channels = 0;                // O (array columns)
  int reduction = 0;                   // K = C * KH * KW (array rows), in (c, kh, kw) order
  std::vector<uint32_t> weight_words;  // O x K quantized words, row-major, before any fault
  std::vector<float> weight_scale;     // per output channel (equal entries when per-layer)
  std::vector<int32_t> bias;           // integer formats: O entries at scale in.scale * w_scale[o]
  std::vector<float> bias_float;       // float formats
  std::vector<Requant> requant;        // integer formats: accumulator -> output (or pre-activation)
  Activation activation = Activation::kNone;
  ActQuant pre_q;                    // Sigmoid only: the pre-activation tensor before the LUT
  std::vector<int32_t> sigmoid_lut;  // Sigmoid only: indexed by pre - pre_q.qmin

  // ---- kAdd ----
  std::vector<Requant> add_requant;  // one per input, same shift
  bool add_relu = false;

  int64_t macs_per_image() const {
    return kind == QOpKind::kArray ? int64_t{out_shape.h} * out_shape.w * out_channels * reduction
                                   : 0;
  }
};

struct QuantModel {
  std::string name;
  WordFormat weight_format;  // every array layer stores its weights in this format
  bool per_channel = false;
  int accumulator_bits = 32;
  Shape input_shape;
  ActQuant input_q;            // the image: unsigned, scale 1 / (2^bits - 1)
  std::vector<QLayer> layers;  // topological order; the last one produces the logits

  bool is_float() const { return weight_format.is_float(); }
  int classes() const { return static_cast<int>(layers.back().out_shape.size()); }
  int64_t weight_count() const;
  int64_t macs_per_image() const;
};

}  // namespace safsim
