// Per-op ONNX -> IR rules of the linear layers: Gemm, MatMul and the Add that carries their bias
// (or a residual), with the bias folds. Convolutions and the other ops are in onnx_ops.cpp.
#include <fmt/format.h>

#include <utility>

#include "workloads/onnx_import_state.h"

namespace safsim::onnx_detail {

Value Importer::linear_input() const {
  const Value x = input_value(0);
  if (x.shape.h != 1 || x.shape.w != 1) {
    fail(fmt::format("input '{}' is {}x{}x{}; {} needs a flattened input (add a Flatten first)",
                     node_->input(0), x.shape.c, x.shape.h, x.shape.w, node_->op_type()));
  }
  return x;
}

std::vector<float> Importer::bias_input(int i, int size, const char* role) const {
  if (!has_input(i)) {
    return std::vector<float>(size, 0.0f);
  }
  const ConstTensor& b = input_const(i, role);
  // [O] from PyTorch, [1, O] from some exporters, a scalar when broadcast.
  if (b.size() == size && (b.dims.size() == 1 || (b.dims.size() == 2 && b.dims[0] == 1))) {
    return b.values;
  }
  if (b.size() == 1) {
    return std::vector<float>(size, b.values[0]);
  }
  fail(fmt::format("bias '{}' has shape [{}]; expected [{}]", node_->input(i),
                   fmt::join(b.dims, ", "), size));
}

void Importer::add_linear(const Value& x, int in_features, int out_features,
                          std::vector<float> weight, std::vector<float> bias) {
  if (in_features != x.shape.c) {
    fail(fmt::format("weight '{}' expects {} input features, but the input has {}", node_->input(1),
                     in_features, x.shape.c));
  }
  Layer l;
  l.kind = LayerKind::kConv2d;
  l.is_linear = true;
  l.weight = std::move(weight);
  l.bias = std::move(bias);
  add_layer(std::move(l), {x}, Shape{out_features, 1, 1}, 2);
}

namespace {

/// [rows][cols] -> [cols][rows]: ONNX B is [in][out], the IR wants [out][in].
std::vector<float> transpose(const std::vector<float>& m, int64_t rows, int64_t cols) {
  std::vector<float> t(m.size());
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      t[c * rows + r] = m[r * cols + c];
    }
  }
  return t;
}

}  // namespace

void Importer::gemm() {
  check_attributes({"alpha", "beta", "transA", "transB"});
  for (const char* name : {"alpha", "beta"}) {
    const float v = attr_float(name, 1.0f);
    if (v != 1.0f) {
      fail(fmt::format("attribute {} = {} is not supported; only {} = 1", name, v, name));
    }
  }
  const int64_t trans_a = attr_int("transA", 0);
  if (trans_a != 0) {
    fail(fmt::format("attribute transA = {} is not supported; only transA = 0", trans_a));
  }
  const int64_t trans_b = attr_int("transB", 0);
  if (trans_b != 0 && trans_b != 1) {
    fail(fmt::format("attribute transB = {} is not supported; only 0 or 1", trans_b));
  }
  const Value x = linear_input();
  const ConstTensor& b = input_const(1, "B");
  if (b.dims.size() != 2) {
    fail(fmt::format("weight '{}' has shape [{}]; expected a matrix", node_->input(1),
                     fmt::join(b.dims, ", ")));
  }
  const int in_features = static_cast<int>(trans_b ? b.dims[1] : b.dims[0]);
  const int out_features = static_cast<int>(trans_b ? b.dims[0] : b.dims[1]);
  std::vector<float> weight = trans_b ? b.values : transpose(b.values, b.dims[0], b.dims[1]);
  add_linear(x, in_features, out_features, std::move(weight), bias_input(2, out_features, "C"));
}

void Importer::matmul() {
  check_attributes({});
  const Value x = linear_input();
  const ConstTensor& b = input_const(1, "B");
  if (b.dims.size() != 2) {
    fail(fmt::format("weight '{}' has shape [{}]; expected a matrix", node_->input(1),
                     fmt::join(b.dims, ", ")));
  }
  const int in_features = static_cast<int>(b.dims[0]);
  const int out_features = static_cast<int>(b.dims[1]);
  add_linear(x, in_features, out_features, transpose(b.values, b.dims[0], b.dims[1]),
             std::vector<float>(out_features, 0.0f));
}

void Importer::add() {
  check_attributes({});
  const bool const0 = is_const(0);
  const bool const1 = is_const(1);
  if (const0 && const1) {
    fail("both inputs are constants; constant folding is not supported");
  }
  if (const0 || const1) {
    fold_bias(const0 ? 1 : 0, const0 ? 0 : 1);
    return;
  }
  const Value a = input_value(0);
  const Value b = input_value(1);
  if (a.shape != b.shape || a.rank != b.rank) {
    fail(
        fmt::format("input shapes differ: '{}' is {}x{}x{}, '{}' is {}x{}x{}; only residual "
                    "adds of equal shapes are supported (no broadcasting)",
                    node_->input(0), a.shape.c, a.shape.h, a.shape.w, node_->input(1), b.shape.c,
                    b.shape.h, b.shape.w));
  }
  Layer l;
  l.kind = LayerKind::kAdd;
  add_layer(std::move(l), {a, b}, a.shape, a.rank);
}

// MatMul + Add(constant) is how PyTorch exports a Linear layer without Gemm.
void Importer::fold_bias(int value_input, int const_input) {
  const Value v = input_value(value_input);
  if (v.layer < 0 || !model_.layers[v.layer].is_linear || !sole_use(value_input)) {
    fail(
        fmt::format("adding a constant is only supported as the bias of the Gemm/MatMul right "
                    "before it, when nothing else reads that Gemm/MatMul's output; '{}' comes "
                    "from {}",
                    node_->input(value_input), describe(v)));
  }
  Layer& l = model_.layers[v.layer];
  const std::vector<float> bias = bias_input(const_input, l.out_shape.c, "B");
  for (size_t o = 0; o < bias.size(); ++o) {
    l.bias[o] += bias[o];
  }
  set_output(v);
}

}  // namespace safsim::onnx_detail
