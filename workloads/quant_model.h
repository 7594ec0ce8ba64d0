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
  kUnary,    // an activation that could not be fused into an array layer: post-processing only
  kConcat,   // channel gather (Concat, Split/Slice, channel shuffle), each input rescaled
  kMul,      // elementwise product (a channel gate when the second input is C x 1 x 1)
};

/// How post-processing turns a requantized value into an output code (hw_models/arithmetic.h).
enum class Activation {
  kNone,    // clamp to the output range
  kRelu,    // the same clamp, of an unsigned range
  kLut,     // clamp to pre_q, then lut (Sigmoid, Tanh, HardSigmoid, HardSwish, SiLU)
  kClip,    // clamp to the output range and to [clip_lo, clip_hi] (Clip, ReLU6)
  kSloped,  // negative values rescaled by neg_requant (LeakyRelu, PRelu), then clamped
};

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
  int reduction = 0;                   // K = C/groups * KH * KW (array rows), in (c, kh, kw) order
  int groups = 1;                      // output channel o reads input channel group o / (O/groups)
  std::vector<uint32_t> weight_words;  // O x K quantized words, row-major, before any fault
  std::vector<float> weight_scale;     // per output channel (equal entries when per-layer)
  std::vector<int32_t> bias;           // integer formats: O entries at scale in.scale * w_scale[o]
  std::vector<float> bias_float;       // float formats
  // The value of each input channel in the padding (empty: 0): codes for integer formats, values
  // for float formats. Non-zero only where an input normalization was folded in (model.h).
  std::vector<int32_t> pad_code;
  std::vector<float> pad_value;

  // ---- post-processing of kArray and kUnary ----
  // kArray requantizes the accumulator, kUnary its input code (requant is then one per channel).
  std::vector<Requant> requant;  // integer formats: -> output (or pre-activation for kLut)
  Activation activation = Activation::kNone;
  UnaryOp unary;                     // the activation's fp32 definition (kLut, kClip, kSloped)
  ActQuant pre_q;                    // kLut: the pre-activation tensor before the table
  std::vector<int32_t> lut;          // kLut: indexed by pre - pre_q.qmin
  std::vector<Requant> neg_requant;  // kSloped: per channel, for values below zero
  int32_t clip_lo = 0, clip_hi = 0;  // kClip: output code bounds

  // ---- kAdd, kConcat ----
  std::vector<Requant> add_requant;  // one per input (kAdd: same shift)
  bool add_relu = false;
  std::vector<ChannelSource> channel_map;  // kConcat: one per output channel

  int64_t macs_per_image() const {
    return kind == QOpKind::kArray ? int64_t{out_shape.h} * out_shape.w * out_channels * reduction
                                   : 0;
  }
  /// Output channels per group and input channels per group of a (grouped) array layer.
  int group_out() const { return out_channels / groups; }
  int group_in() const { return in_shape.c / groups; }
};

/// The activation as reports name it: "none", "relu", or the function ("sigmoid", "clip", ...).
std::string activation_name(const QLayer& q);

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
