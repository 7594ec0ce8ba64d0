// Internal to the ONNX importer: the state of one import, shared by the graph walk
// (onnx_import.cpp), the node helpers (onnx_import_state.cpp), constant folding (onnx_fold.cpp)
// and the per-op rules (onnx_ops*.cpp). Not a public API.
#pragma once

#include <onnx/onnx_pb.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "workloads/model.h"

namespace safsim::onnx_detail {

/// Sanity bounds on sizes read from a file, so that a corrupt model fails cleanly instead of
/// overflowing an int: one dimension, and the elements of one tensor.
constexpr int64_t kMaxDim = int64_t{1} << 24;
constexpr int64_t kMaxElements = int64_t{1} << 28;
/// Elements of one layer's output for one image (16 M: ResNet-18 at 224 x 224 needs 0.8 M). The
/// engines hold a batch of such tensors, so a larger one would exhaust memory (docs/limits.md).
constexpr int64_t kMaxActivationElements = int64_t{1} << 24;

/// A constant tensor (initializer or Constant node) as floats; integer tensors also keep `ints`.
struct ConstTensor {
  std::vector<int64_t> dims;
  std::vector<float> values;
  std::vector<int64_t> ints;
  int64_t size() const { return static_cast<int64_t>(values.size()); }
};

/// A tensor computed by the graph.
struct Value {
  int layer = -1;  // producing layer in Model::layers; -1 is the model input
  Shape shape;
  int rank = 4;  // ONNX rank with the batch dimension: 4 (N x C x H x W) or 2 (N x C)
  // True while this tensor is the only name for its layer's output, so that folding a BN or a
  // bias into the layer cannot change what another consumer sees.
  bool exclusive = true;

  // Pending transformations that have no layer of their own; the next Conv/Gemm folds them in,
  // any other reader is refused (Importer::input_value).
  //   per-channel affine x * scale[c] + shift[c] from constant Sub/Div/Mul/Add (empty: none);
  std::vector<float> scale, shift;
  //   a zero Pad of H and W: top, left, bottom, right;
  std::array<int, 4> pad{};
  //   the channel shuffle: Reshape to N x g x C/g x H x W (split_groups = g), then Transpose.
  int split_groups = 0;
  bool shuffled = false;

  bool has_affine() const { return !scale.empty(); }
  /// The dims Shape would report, with a batch of 1.
  std::vector<int64_t> dims() const;
  bool has_pad() const { return pad[0] || pad[1] || pad[2] || pad[3]; }
  bool pending() const { return has_affine() || has_pad() || split_groups > 0; }
};

/// One problem found while importing, kept so that the error lists every one at once.
struct ImportProblem {
  std::string op, node, what;
};

class Importer {
 public:
  Importer(std::string path, const onnx::GraphProto& graph);
  Model run();
  static std::vector<std::string> op_names();  // op_table()'s ops, for supported_onnx_ops()

 private:
  // ---- graph walk (onnx_import.cpp) ----
  void read_initializers();
  void read_input();
  void count_consumers();
  void check_op_types();
  static bool known_op(const onnx::NodeProto& n);
  void import_node(int index);
  void finish_output();
  [[noreturn]] void report_problems() const;
  ConstTensor decode(const onnx::TensorProto& t) const;

  // ---- constant folding (onnx_fold.cpp) ----
  bool fold_constant_node();  // true when the node only computes constants (shape arithmetic)
  bool all_inputs_known() const;
  ConstTensor shape_of(int i) const;

  // ---- node helpers (onnx_import_state.cpp) ----
  [[noreturn]] void fail(const std::string& what) const;
  std::string describe(const Value& v) const;

  void check_attributes(std::initializer_list<const char*> known) const;
  const onnx::AttributeProto* attr(const char* name, onnx::AttributeProto::AttributeType t) const;
  int64_t attr_int(const char* name, int64_t fallback) const;
  float attr_float(const char* name, float fallback) const;
  std::vector<int64_t> attr_ints(const char* name, std::vector<int64_t> fallback) const;
  std::string attr_string(const char* name, const std::string& fallback) const;

  bool has_input(int i) const;
  bool is_const(int i) const;
  Value raw_value(int i) const;    // with any pending transformation
  Value input_value(int i) const;  // refuses a pending transformation
  Value image_input(int i) const;  // a 4-D N x C x H x W tensor
  const ConstTensor& input_const(int i, const char* role) const;
  bool sole_use(int i) const;  // input i is its layer's only exposed output, used only here
  void check_extra_outputs_unused() const;
  void add_layer(Layer l, const std::vector<Value>& ins, Shape out, int rank, int output = 0);
  void set_output(const Value& v, int output = 0);
  WindowGeom read_window(const Value& x, int kernel_h, int kernel_w, bool allow_dilation) const;
  Shape window_output(const Value& x, const WindowGeom& g, int channels, bool ceil_mode) const;
  int channel_axis(int64_t axis, const Value& x) const;  // normalizes axis; 1 is channels

  // ---- per-op translation: convolution, pooling, BN, constants (onnx_ops.cpp) ----
  void conv();
  void max_pool();
  void average_pool();
  void global_average_pool();
  void global_max_pool();
  void reduce_mean();
  void batch_norm();
  void constant();
  void identity();
  void dropout();
  void softmax();
  void shape_only();  // a shape-arithmetic op whose inputs are not all known at import

  void pool(LayerKind kind);
  void fold_input_transform(Layer& l, const Value& x, int taps_per_channel);
  void pass_through();  // Identity and Dropout

  // ---- linear layers and elementwise arithmetic (onnx_ops_linear.cpp) ----
  void gemm();
  void matmul();
  void add();
  void sub();
  void mul();
  void div();
  void add_linear(const Value& x, int in_features, int out_features, std::vector<float> weight,
                  std::vector<float> bias);
  Value linear_input() const;
  std::vector<float> bias_input(int i, int size, const char* role) const;
  std::vector<float> channel_constant(int i, int channels) const;
  void binary_with_constant(char op);
  void apply_affine(int vi, const std::vector<float>& scale, const std::vector<float>& shift);
  bool fuse_gated_activation();  // x * Sigmoid(x) -> SiLU, x * HardSigmoid(x) -> HardSwish

  // ---- activations (onnx_ops_activation.cpp) ----
  void relu();
  void sigmoid();
  void clip();
  void leaky_relu();
  void prelu();
  void tanh();
  void hard_sigmoid();
  void hard_swish();
  void add_unary(UnaryOp op);

  // ---- channel and shape ops (onnx_ops_channels.cpp) ----
  void concat();
  void split();
  void slice();
  void transpose();
  void reshape();
  void flatten();
  void squeeze();
  void unsqueeze();
  void pad();
  void add_channel_gather(const std::vector<Value>& ins, std::vector<ChannelSource> map,
                          int output);

  using Handler = void (Importer::*)();
  struct OpEntry {
    const char* op;
    Handler handler;
  };
  static const std::vector<OpEntry>& op_table();

  std::string path_;
  const onnx::GraphProto& graph_;
  const onnx::NodeProto* node_ = nullptr;  // the node being imported, for error messages
  std::string node_name_;
  std::map<std::string, ConstTensor> consts_;
  std::map<std::string, Value> values_;
  std::map<std::string, int> consumers_;  // node inputs and graph outputs reading each tensor
  std::map<std::string, std::string> softmax_of_;  // Softmax output -> its (logits) input
  std::vector<ImportProblem> problems_;
  std::map<std::string, bool> poisoned_;  // outputs of nodes that failed to import
  Model model_;
};

}  // namespace safsim::onnx_detail
