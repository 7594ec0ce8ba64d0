// Per-op ONNX -> IR rules of the linear layers (Gemm, MatMul) and of elementwise arithmetic:
// Add/Sub/Mul/Div with a constant become a per-channel scale and shift folded into the layer
// before (its weights and bias) or after (its input transform); between two tensors they are a
// residual Add, a Mul (squeeze-and-excitation gates broadcast over H x W) or a gated activation.
#include <fmt/format.h>

#include <cmath>
#include <utility>

#include "workloads/onnx_import_state.h"

namespace safsim::onnx_detail {

Value Importer::linear_input() const {
  const Value x = raw_value(0);
  if (x.has_pad() || x.split_groups > 0) {
    input_value(0);  // refuses it with the message
  }
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
  fold_input_transform(l, x, 1);
  Value in = x;
  in.scale.clear();
  in.shift.clear();
  add_layer(std::move(l), {in}, Shape{out_features, 1, 1}, 2);
}

namespace {

/// [rows][cols] -> [cols][rows]: ONNX B is [in][out], the IR wants [out][in].
std::vector<float> transpose_matrix(const std::vector<float>& m, int64_t rows, int64_t cols) {
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
  // alpha * A * B + beta * C: alpha scales the weights, beta the bias.
  const float alpha = attr_float("alpha", 1.0f);
  const float beta = attr_float("beta", 1.0f);
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
  std::vector<float> weight = trans_b ? b.values : transpose_matrix(b.values, b.dims[0], b.dims[1]);
  std::vector<float> bias = bias_input(2, out_features, "C");
  for (float& w : weight) {
    w *= alpha;
  }
  for (float& v : bias) {
    v *= beta;
  }
  add_linear(x, in_features, out_features, std::move(weight), std::move(bias));
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
  add_linear(x, in_features, out_features, transpose_matrix(b.values, b.dims[0], b.dims[1]),
             std::vector<float>(out_features, 0.0f));
}

void Importer::add() {
  check_attributes({});
  if (is_const(0) || is_const(1)) {
    binary_with_constant('+');
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

void Importer::sub() {
  check_attributes({});
  if (!is_const(0) && !is_const(1)) {
    fail(
        "subtracting two computed tensors is not supported; only a constant (e.g. an input "
        "mean) is, folded into the neighbouring Conv or Gemm");
  }
  binary_with_constant('-');
}

void Importer::div() {
  check_attributes({});
  if (!is_const(1)) {
    fail(
        "only division by a constant (e.g. an input standard deviation) is supported, folded "
        "into the neighbouring Conv or Gemm");
  }
  binary_with_constant('/');
}

void Importer::mul() {
  check_attributes({});
  if (is_const(0) || is_const(1)) {
    binary_with_constant('*');
    return;
  }
  if (fuse_gated_activation()) {
    return;
  }
  const Value a = input_value(0);
  const Value b = input_value(1);
  const bool gate = b.rank == 4 && a.rank == 4 && b.shape == Shape{a.shape.c, 1, 1};
  if (a.shape != b.shape && !gate) {
    fail(
        fmt::format("input shapes {}x{}x{} and {}x{}x{} are not supported; the second input "
                    "must have the first's shape or be N x C x 1 x 1 (a channel gate)",
                    a.shape.c, a.shape.h, a.shape.w, b.shape.c, b.shape.h, b.shape.w));
  }
  Layer l;
  l.kind = LayerKind::kMul;
  add_layer(std::move(l), {a, b}, a.shape, a.rank);
}

// x * Sigmoid(x) is SiLU and x * HardSigmoid(x) with alpha 1/6, beta 1/2 is HardSwish, as
// PyTorch exports them below opset 14: one activation, not a product of two tensors.
bool Importer::fuse_gated_activation() {
  for (int g = 0; g < 2; ++g) {
    const Value gate = raw_value(g);
    const Value x = raw_value(1 - g);
    if (gate.layer < 0 || gate.pending() || x.pending() || !sole_use(g)) {
      continue;
    }
    const Layer& gl = model_.layers[size_t(gate.layer)];
    if (gl.inputs.size() != 1 || gl.inputs[0] != x.layer) {
      continue;
    }
    UnaryOp op;
    if (gl.kind == LayerKind::kSigmoid) {
      op.fn = UnaryFn::kSilu;
    } else if (gl.kind == LayerKind::kUnary && gl.unary.fn == UnaryFn::kHardSigmoid &&
               std::fabs(gl.unary.alpha - 1.0f / 6.0f) < 1e-6f &&
               std::fabs(gl.unary.beta - 0.5f) < 1e-6f) {
      op.fn = UnaryFn::kHardSwish;
    } else {
      continue;
    }
    // The gate layer is left without readers; finish_output() drops it.
    Layer l;
    l.kind = LayerKind::kUnary;
    l.unary = op;
    add_layer(std::move(l), {x}, x.shape, x.rank);
    return true;
  }
  return false;
}

std::vector<float> Importer::channel_constant(int i, int channels) const {
  const ConstTensor& c = input_const(i, "constant");
  if (c.size() == 1) {
    return std::vector<float>(size_t(channels), c.values[0]);
  }
  // [C], [C, 1, 1], [1, C, 1, 1] (and [1, C] for N x C tensors): one value per channel.
  int64_t non_unit = 0, count = 0;
  for (size_t d = 0; d < c.dims.size(); ++d) {
    if (c.dims[d] != 1) {
      ++count;
      non_unit = int64_t(c.dims.size() - d);  // its position from the end
    }
  }
  const bool per_channel = c.size() == channels && count == 1 &&
                           (non_unit == 3 || (non_unit == 1 && c.dims.size() <= 2));
  if (!per_channel) {
    fail(
        fmt::format("constant '{}' has shape [{}]; expected a scalar or one value per channel "
                    "({} values, shaped [C], [C, 1, 1] or [1, C, 1, 1])",
                    node_->input(i), fmt::join(c.dims, ", "), channels));
  }
  return c.values;
}

// x + c, x - c, c - x, x * c, x / c with a per-channel constant c: an affine map per channel.
void Importer::binary_with_constant(char op) {
  const int vi = is_const(0) ? 1 : 0;
  const Value v = raw_value(vi);
  const std::vector<float> c = channel_constant(1 - vi, v.shape.c);
  std::vector<float> scale(c.size(), 1.0f), shift(c.size(), 0.0f);
  for (size_t k = 0; k < c.size(); ++k) {
    switch (op) {
      case '+':
        shift[k] = c[k];
        break;
      case '-':
        scale[k] = vi == 0 ? 1.0f : -1.0f;
        shift[k] = vi == 0 ? -c[k] : c[k];
        break;
      case '*':
        scale[k] = c[k];
        break;
      default:  // '/'
        if (c[k] == 0.0f) {
          fail(fmt::format("division by zero (element {} of '{}')", k, node_->input(1)));
        }
        scale[k] = 1.0f / c[k];
        break;
    }
  }
  apply_affine(vi, scale, shift);
}

// Input vi * scale[c] + shift[c]. Into the Conv/Gemm that produced it when nothing else reads it
// (its weights and bias); otherwise kept pending on the tensor for the next Conv/Gemm to fold.
void Importer::apply_affine(int vi, const std::vector<float>& scale,
                            const std::vector<float>& shift) {
  const Value v = raw_value(vi);
  if (v.has_pad() || v.split_groups > 0) {
    input_value(vi);  // refuses it with the message
  }
  if (v.layer >= 0 && !v.has_affine() && sole_use(vi) &&
      model_.layers[size_t(v.layer)].kind == LayerKind::kConv2d) {
    Layer& l = model_.layers[size_t(v.layer)];
    const size_t per_output = l.weight.size() / l.bias.size();
    for (size_t o = 0; o < l.bias.size(); ++o) {
      for (size_t k = 0; k < per_output; ++k) {
        l.weight[o * per_output + k] *= scale[o];
      }
      l.bias[o] = static_cast<float>(double(l.bias[o]) * scale[o] + shift[o]);
    }
    set_output(v);
    return;
  }
  Value out = v;
  if (out.has_affine()) {
    for (size_t k = 0; k < scale.size(); ++k) {
      out.scale[k] *= scale[k];
      out.shift[k] = out.shift[k] * scale[k] + shift[k];
    }
  } else {
    out.scale = scale;
    out.shift = shift;
  }
  out.exclusive = false;
  set_output(out);
}

}  // namespace safsim::onnx_detail
