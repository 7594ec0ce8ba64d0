// Internal to the ONNX importer: the state of one import, shared by the graph walk
// (onnx_import.cpp), the node helpers (onnx_importer.cpp) and the per-op rules (onnx_ops.cpp).
// Not a public API.
#pragma once

#include <onnx/onnx_pb.h>

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
  void import_node(int index);
  void finish_output();
  ConstTensor decode(const onnx::TensorProto& t) const;

  // ---- node helpers (onnx_importer.cpp) ----
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
  Value input_value(int i) const;
  Value image_input(int i) const;  // a 4-D N x C x H x W tensor
  const ConstTensor& input_const(int i, const char* role) const;
  bool sole_use(int i) const;  // input i is its layer's only exposed output, used only here
  void check_extra_outputs_unused() const;
  void add_layer(Layer l, const std::vector<Value>& ins, Shape out, int rank);
  void set_output(const Value& v);
  WindowGeom read_window(int kernel_h, int kernel_w) const;
  Shape window_output(const Value& x, const WindowGeom& g, int channels) const;

  // ---- per-op translation (onnx_ops.cpp) ----
  void conv();
  void gemm();
  void matmul();
  void add();
  void relu();
  void sigmoid();
  void max_pool();
  void average_pool();
  void global_average_pool();
  void flatten();
  void reshape();
  void batch_norm();
  void constant();
  void identity();
  void dropout();

  void pool(LayerKind kind);
  void add_linear(const Value& x, int in_features, int out_features, std::vector<float> weight,
                  std::vector<float> bias);
  Value linear_input() const;
  std::vector<float> bias_input(int i, int size, const char* role) const;
  void fold_bias(int value_input, int const_input);
  void pass_through();  // Identity and Dropout

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
  Model model_;
};

}  // namespace safsim::onnx_detail
