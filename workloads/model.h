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
  kConv2d,  // also Linear/Gemm/MatMul: a 1x1 kernel on a C x 1 x 1 input
  kRelu,
  kSigmoid,
  kMaxPool,
  kAvgPool,
  kGlobalAvgPool,
  kFlatten,  // Flatten/Reshape to C*H*W x 1 x 1 (no data movement in CHW order)
  kAdd,      // residual add of two tensors of the same shape
};

const char* to_string(LayerKind k);

/// Geometry of a convolution or pooling window. Linear layers use kernel 1x1 on a flattened input.
struct WindowGeom {
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  bool count_include_pad = false;  // AveragePool only
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
  // Conv2d parameters, BatchNormalization already folded in. weight is OIHW (O x C x KH x KW).
  std::vector<float> weight;
  std::vector<float> bias;  // O entries (zeros when the model had none)

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
