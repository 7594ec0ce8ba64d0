// Graph IR of a float DNN as imported from ONNX: a list of layers in topological order,
// each reading earlier layers' outputs. Tensors are CHW per image; the batch is implicit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace safsim {

/// Shape of one image's activation tensor (channels, height, width). Vectors are C x 1 x 1.
struct Shape {
  int c = 0, h = 0, w = 0;
  int64_t size() const { return int64_t{c} * h * w; }
  bool operator==(const Shape& o) const { return c == o.c && h == o.h && w == o.w; }
  bool operator!=(const Shape& o) const { return !(*this == o); }
};

enum class LayerKind {
  kConv2d,  // also Linear/Gemm/MatMul: a 1x1 kernel on a C x 1 x 1 input; grouped when groups > 1
  kRelu,
  kSigmoid,
  kMaxPool,  // also GlobalMaxPool: a window covering the whole input
  kAvgPool,
  kGlobalAvgPool,  // also ReduceMean over H and W
  kFlatten,        // Flatten/Reshape to C*H*W x 1 x 1 (no data movement in CHW order)
  kAdd,            // residual add of two tensors of the same shape
  kUnary,          // an elementwise activation other than ReLU and Sigmoid (UnaryOp)
  kConcat,         // channel gather: Concat, Split/Slice on channels, channel shuffle
  kMul,            // elementwise product; the second input may be C x 1 x 1 (broadcast over H, W)
};

const char* to_string(LayerKind k);

/// The elementwise activations beyond ReLU and Sigmoid. Piecewise-linear ones (Clip, LeakyRelu,
/// PRelu) have exact integer rules; the others are lookup tables in the integer pipeline.
enum class UnaryFn { kClip, kLeakyRelu, kPRelu, kTanh, kHardSigmoid, kHardSwish, kSilu, kSigmoid };

const char* to_string(UnaryFn f);

struct UnaryOp {
  UnaryFn fn = UnaryFn::kClip;
  float alpha = 0.0f;          // LeakyRelu slope; HardSigmoid alpha
  float beta = 0.0f;           // HardSigmoid beta
  float lo = 0.0f, hi = 0.0f;  // Clip bounds (-inf/+inf when absent)
  std::vector<float> slope;    // PRelu: one negative slope per channel

  bool piecewise_linear() const {
    return fn == UnaryFn::kClip || fn == UnaryFn::kLeakyRelu || fn == UnaryFn::kPRelu;
  }
  /// The definition (ONNX operator semantics); `channel` selects PRelu's slope. The fp32 path
  /// evaluates it in float, lookup tables are built in double.
  float apply(float x, int channel) const;
  double apply(double x, int channel) const;
  /// The negative-side slope of a piecewise-linear function at `channel` (Clip: 1).
  float negative_slope(int channel) const;
};

/// One output channel of a kConcat layer: channel `channel` of input `input` (an index into
/// Layer::inputs).
struct ChannelSource {
  int input = 0;
  int channel = 0;
  bool operator==(const ChannelSource& o) const { return input == o.input && channel == o.channel; }
};

/// Geometry of a convolution or pooling window. Linear layers use kernel 1x1 on a flattened input.
struct WindowGeom {
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  bool count_include_pad = false;      // AveragePool only
  int dilation_h = 1, dilation_w = 1;  // Conv only: kernel taps are dilation apart
  int extent_h() const { return (kernel_h - 1) * dilation_h + 1; }
  int extent_w() const { return (kernel_w - 1) * dilation_w + 1; }
};

struct Layer {
  std::string name;     // ONNX node name (or a generated one), used in reports and errors
  std::string onnx_op;  // original op type, for error messages
  LayerKind kind = LayerKind::kRelu;
  std::vector<int> inputs;  // indices into Model::layers; -1 is the model input
  Shape in_shape;           // of inputs[0]
  Shape out_shape;
  WindowGeom geom;         // Conv2d and pooling
  bool is_linear = false;  // Conv2d that came from Gemm/MatMul (reports call it "linear")
  // Conv2d parameters, BatchNormalization already folded in. weight is OIHW
  // (O x C/groups x KH x KW): output channel o reads the input channels of group o / (O/groups).
  std::vector<float> weight;
  std::vector<float> bias;  // O entries (zeros when the model had none)
  int groups = 1;
  // Conv2d only: the value of each input channel in the padding (empty: 0). A folded input
  // normalization (x - m) / s pads the raw input with m, which normalizes to the 0 ONNX pads with.
  std::vector<float> pad_value;
  UnaryOp unary;                           // kUnary
  std::vector<ChannelSource> channel_map;  // kConcat: one entry per output channel

  int64_t weight_count() const { return static_cast<int64_t>(weight.size()); }
};

struct Model {
  std::string name;
  Shape input_shape;
  std::vector<Layer> layers;  // topological order; the last layer is the output (logits)

  const Layer& output() const { return layers.back(); }
  /// Number of weights (not biases) over all Conv2d layers.
  int64_t weight_count() const;
};

/// Runs the float model on one image (CHW floats in [0,1]); returns the output tensor.
/// This is the fp32 reference used by calibration and by tests.
std::vector<float> run_float(const Model& m, const std::vector<float>& image,
                             std::vector<std::vector<float>>* activations = nullptr);

}  // namespace safsim
