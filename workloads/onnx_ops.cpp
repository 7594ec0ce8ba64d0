// Per-op ONNX -> IR rules of convolution, pooling, BatchNormalization and the ops that vanish
// (Constant, Identity, Dropout, an output Softmax): which attributes each accepts, the shapes it
// produces, and the folds. Linear layers and arithmetic are in onnx_ops_linear.cpp, activations in
// onnx_ops_activation.cpp, channel and shape ops in onnx_ops_channels.cpp, the graph walk and
// error plumbing in onnx_import.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "workloads/input_fold.h"
#include "workloads/onnx_import_state.h"

namespace safsim::onnx_detail {

const std::vector<Importer::OpEntry>& Importer::op_table() {
  // The order is the one error messages list as "supported ops".
  static const std::vector<OpEntry> table = {
      {"Conv", &Importer::conv},
      {"Gemm", &Importer::gemm},
      {"MatMul", &Importer::matmul},
      {"Add", &Importer::add},
      {"Sub", &Importer::sub},
      {"Mul", &Importer::mul},
      {"Div", &Importer::div},
      {"Relu", &Importer::relu},
      {"Sigmoid", &Importer::sigmoid},
      {"Clip", &Importer::clip},
      {"LeakyRelu", &Importer::leaky_relu},
      {"PRelu", &Importer::prelu},
      {"Tanh", &Importer::tanh},
      {"HardSigmoid", &Importer::hard_sigmoid},
      {"HardSwish", &Importer::hard_swish},
      {"MaxPool", &Importer::max_pool},
      {"AveragePool", &Importer::average_pool},
      {"GlobalAveragePool", &Importer::global_average_pool},
      {"GlobalMaxPool", &Importer::global_max_pool},
      {"ReduceMean", &Importer::reduce_mean},
      {"Concat", &Importer::concat},
      {"Split", &Importer::split},
      {"Slice", &Importer::slice},
      {"Transpose", &Importer::transpose},
      {"Flatten", &Importer::flatten},
      {"Reshape", &Importer::reshape},
      {"Squeeze", &Importer::squeeze},
      {"Unsqueeze", &Importer::unsqueeze},
      {"Pad", &Importer::pad},
      {"BatchNormalization", &Importer::batch_norm},
      {"Softmax", &Importer::softmax},
      {"LogSoftmax", &Importer::softmax},
      {"Constant", &Importer::constant},
      {"Identity", &Importer::identity},
      {"Dropout", &Importer::dropout},
      // Shape arithmetic, evaluated at import (onnx_fold.cpp); on a computed tensor they fail.
      {"Shape", &Importer::shape_only},
      {"Gather", &Importer::shape_only},
      {"Cast", &Importer::shape_only},
      {"ConstantOfShape", &Importer::shape_only},
  };
  return table;
}

void Importer::conv() {
  check_attributes({"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
  Value x = raw_value(0);
  if (x.split_groups > 0) {
    input_value(0);  // refuses it with the message
  }
  if (x.rank != 4) {
    fail(fmt::format("input '{}' is a flattened N x {} tensor; expected N x C x H x W",
                     node_->input(0), x.shape.c));
  }
  const ConstTensor& w = input_const(1, "W");
  if (w.dims.size() != 4) {
    fail(
        fmt::format("weight '{}' has shape [{}]; only 2-D convolutions (O x C x KH x KW) are "
                    "supported",
                    node_->input(1), fmt::join(w.dims, ", ")));
  }
  const int64_t group = attr_int("group", 1);
  if (group < 1 || x.shape.c % group != 0 || w.dims[0] % group != 0) {
    fail(fmt::format("attribute group = {} must divide the {} input and {} output channels", group,
                     x.shape.c, w.dims[0]));
  }
  if (w.dims[1] * group != x.shape.c) {
    fail(
        fmt::format("weight '{}' expects {} input channels per group ({} groups), but the input "
                    "has {}",
                    node_->input(1), w.dims[1], group, x.shape.c));
  }
  const std::vector<int64_t> kernel = attr_ints("kernel_shape", {w.dims[2], w.dims[3]});
  if (kernel != std::vector<int64_t>{w.dims[2], w.dims[3]}) {
    fail(fmt::format("attribute kernel_shape = [{}] does not match the weight's {}x{}",
                     fmt::join(kernel, ", "), w.dims[2], w.dims[3]));
  }
  const int out_c = static_cast<int>(w.dims[0]);
  Layer l;
  l.kind = LayerKind::kConv2d;
  l.groups = static_cast<int>(group);
  l.geom = read_window(x, static_cast<int>(w.dims[2]), static_cast<int>(w.dims[3]), true);
  // A Pad right before is this convolution's padding.
  l.geom.pad_top += x.pad[0];
  l.geom.pad_left += x.pad[1];
  l.geom.pad_bottom += x.pad[2];
  l.geom.pad_right += x.pad[3];
  l.weight = w.values;
  l.bias = bias_input(2, out_c, "B");
  fold_input_transform(l, x, static_cast<int>(w.dims[2] * w.dims[3]));
  const Shape out = window_output(x, l.geom, out_c, false);
  x.pad = {};
  x.scale.clear();
  x.shift.clear();
  add_layer(std::move(l), {x}, out, 4);
}

// Folds a pending x * scale[c] + shift[c] into the layer that reads it (workloads/input_fold.h):
// the raw input is then padded with -shift[c] / scale[c] (for (x - mean) / std: the mean).
void Importer::fold_input_transform(Layer& l, const Value& x, int taps_per_channel) {
  if (!x.has_affine()) {
    return;
  }
  const bool padded = l.geom.pad_top || l.geom.pad_left || l.geom.pad_bottom || l.geom.pad_right;
  for (size_t c = 0; padded && c < x.scale.size(); ++c) {
    if (x.scale[c] == 0.0f) {
      fail(fmt::format("input channel {} is multiplied by 0 before a padded convolution", c));
    }
  }
  fold_affine_into_layer(l, x.scale, x.shift, taps_per_channel);
}

void Importer::max_pool() {
  check_attributes(
      {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"});
  pool(LayerKind::kMaxPool);
}

void Importer::average_pool() {
  check_attributes({"auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape",
                    "pads", "strides"});
  pool(LayerKind::kAvgPool);
}

void Importer::pool(LayerKind kind) {
  const Value x = image_input(0);
  const int64_t ceil_mode = attr_int("ceil_mode", 0);
  if (ceil_mode != 0 && ceil_mode != 1) {
    fail(fmt::format("attribute ceil_mode = {} is not supported; only 0 or 1", ceil_mode));
  }
  const std::vector<int64_t> kernel = attr_ints("kernel_shape", {});
  if (kernel.size() != 2 || kernel[0] < 1 || kernel[1] < 1 || kernel[0] > kMaxDim ||
      kernel[1] > kMaxDim) {
    fail(fmt::format("attribute kernel_shape = [{}] is not supported; expected 2 positive sizes",
                     fmt::join(kernel, ", ")));
  }
  const int64_t include_pad = attr_int("count_include_pad", 0);
  if (include_pad != 0 && include_pad != 1) {
    fail(
        fmt::format("attribute count_include_pad = {} is not supported; only 0 or 1", include_pad));
  }
  check_extra_outputs_unused();  // MaxPool's Indices
  const int64_t storage_order = attr_int("storage_order", 0);
  if (storage_order != 0) {
    fail(fmt::format("attribute storage_order = {} is not supported; only 0", storage_order));
  }
  Layer l;
  l.kind = kind;
  l.geom = read_window(x, static_cast<int>(kernel[0]), static_cast<int>(kernel[1]), false);
  l.geom.count_include_pad = include_pad == 1;
  // A window lying entirely in the padding has no defined maximum.
  if (std::max(l.geom.pad_top, l.geom.pad_bottom) >= l.geom.kernel_h ||
      std::max(l.geom.pad_left, l.geom.pad_right) >= l.geom.kernel_w) {
    fail("attribute pads must be smaller than kernel_shape");
  }
  const Shape out = window_output(x, l.geom, x.shape.c, ceil_mode == 1);
  add_layer(std::move(l), {x}, out, 4);
}

void Importer::global_average_pool() {
  check_attributes({});
  const Value x = image_input(0);
  Layer l;
  l.kind = LayerKind::kGlobalAvgPool;
  add_layer(std::move(l), {x}, Shape{x.shape.c, 1, 1}, 4);
}

// A max-pool whose window is the whole input.
void Importer::global_max_pool() {
  check_attributes({});
  const Value x = image_input(0);
  Layer l;
  l.kind = LayerKind::kMaxPool;
  l.geom.kernel_h = x.shape.h;
  l.geom.kernel_w = x.shape.w;
  add_layer(std::move(l), {x}, Shape{x.shape.c, 1, 1}, 4);
}

// The mean over H and W is a global average pool (x.mean([2, 3]) in PyTorch); keepdims = 0 gives
// the N x C tensor a Linear layer reads.
void Importer::reduce_mean() {
  check_attributes({"axes", "keepdims", "noop_with_empty_axes"});
  const Value x = image_input(0);
  std::vector<int64_t> axes = attr_ints("axes", {});
  if (is_const(1)) {
    axes = input_const(1, "axes").ints;  // opset 18
  }
  std::vector<int> normalized;
  for (int64_t a : axes) {
    normalized.push_back(channel_axis(a, x));
  }
  std::sort(normalized.begin(), normalized.end());
  if (normalized != std::vector<int>{2, 3}) {
    fail(fmt::format("axes = [{}] is not supported; only the spatial axes [2, 3]",
                     fmt::join(axes, ", ")));
  }
  const int64_t keepdims = attr_int("keepdims", 1);
  Layer l;
  l.kind = LayerKind::kGlobalAvgPool;
  add_layer(std::move(l), {x}, Shape{x.shape.c, 1, 1}, keepdims != 0 ? 4 : 2);
}

// Softmax and LogSoftmax are monotone in each logit, so at the output they leave the top-1
// class unchanged: the model's output becomes their input, the raw logits (docs/models.md).
void Importer::softmax() {
  check_attributes({"axis"});
  const Value x = input_value(0);
  const int axis = channel_axis(attr_int("axis", -1), x);
  if (x.rank != 2 || axis != 1) {
    fail(
        fmt::format("only a Softmax over the classes of an N x classes tensor is supported; "
                    "this one is over axis {} of a {}-D tensor",
                    axis, x.rank));
  }
  const std::string& out = node_->output(0);
  bool is_output = false;
  for (const onnx::ValueInfoProto& o : graph_.output()) {
    is_output = is_output || o.name() == out;
  }
  if (!is_output || consumers_.at(out) != 1) {
    fail(
        "a Softmax is supported only as the model's last op (its output is the graph output "
        "and nothing else reads it); inside the network it would need an exponential unit");
  }
  softmax_of_[out] = node_->input(0);
  set_output(x);
}

void Importer::shape_only() {
  fail(
      "is supported only on constants and tensor shapes (evaluated at import), not on a "
      "tensor computed from the model input");
}

// Folded at import because the accelerator has no BN unit:
//   w' = w * gamma / sqrt(var + eps),  b' = (b - mean) * gamma / sqrt(var + eps) + beta.
void Importer::batch_norm() {
  check_attributes({"epsilon", "momentum", "training_mode", "spatial"});
  const Value x = raw_value(0);
  const int64_t training = attr_int("training_mode", 0);
  if (training != 0) {
    fail(fmt::format("attribute training_mode = {} is not supported; only 0 (export in eval mode)",
                     training));
  }
  const int64_t spatial = attr_int("spatial", 1);
  if (spatial != 1) {
    fail(fmt::format("attribute spatial = {} is not supported; only 1", spatial));
  }
  check_extra_outputs_unused();
  const double eps = attr_float("epsilon", 1e-5f);
  const int channels = x.shape.c;
  const char* roles[] = {"scale", "B", "mean", "var"};
  std::vector<const ConstTensor*> p;
  for (int i = 0; i < 4; ++i) {
    p.push_back(&input_const(i + 1, roles[i]));
    if (p.back()->size() != channels) {
      fail(fmt::format("{} '{}' has {} values; expected one per channel ({})", roles[i],
                       node_->input(i + 1), p.back()->size(), channels));
    }
  }
  std::vector<float> scale(static_cast<size_t>(channels)), shift(static_cast<size_t>(channels));
  for (int o = 0; o < channels; ++o) {
    const double var = p[3]->values[o];
    if (!(var + eps > 0.0)) {
      fail(fmt::format("var[{}] + epsilon = {} is not positive", o, var + eps));
    }
    const double s = p[0]->values[o] / std::sqrt(var + eps);
    scale[size_t(o)] = static_cast<float>(s);
    shift[size_t(o)] = static_cast<float>(p[1]->values[o] - p[2]->values[o] * s);
  }
  apply_affine(0, scale, shift);
}

void Importer::constant() {
  check_attributes({"value", "value_float", "value_floats", "value_int", "value_ints"});
  if (node_->attribute_size() != 1) {
    fail("expected exactly one of the attributes value, value_float(s), value_int(s)");
  }
  const onnx::AttributeProto& a = node_->attribute(0);
  ConstTensor c;
  if (a.name() == "value") {
    c = decode(attr("value", onnx::AttributeProto::TENSOR)->t());
  } else if (a.name() == "value_float") {
    c.values = {attr_float("value_float", 0.0f)};
  } else if (a.name() == "value_int") {
    c.ints = {attr_int("value_int", 0)};
  } else if (a.name() == "value_ints") {
    c.ints = attr_ints("value_ints", {});
    c.dims = {static_cast<int64_t>(c.ints.size())};
  } else {
    const onnx::AttributeProto* f = attr("value_floats", onnx::AttributeProto::FLOATS);
    c.values.assign(f->floats().begin(), f->floats().end());
    c.dims = {static_cast<int64_t>(c.values.size())};
  }
  if (!c.ints.empty()) {
    c.values.assign(c.ints.begin(), c.ints.end());
  }
  consts_[node_->output(0)] = std::move(c);
}

void Importer::pass_through() {
  if (is_const(0)) {
    consts_[node_->output(0)] = consts_.at(node_->input(0));
    return;
  }
  Value v = input_value(0);
  v.exclusive = v.exclusive && consumers_.at(node_->input(0)) == 1;
  set_output(v);
}

void Importer::identity() {
  check_attributes({});
  pass_through();
}

// Inference semantics: Dropout is the identity unless the model asks for training mode.
void Importer::dropout() {
  check_attributes({"seed", "ratio", "is_test"});
  const bool training = is_const(2) && !input_const(2, "training_mode").values.empty() &&
                        input_const(2, "training_mode").values[0] != 0.0f;
  if (training) {
    fail("input training_mode = true is not supported; only inference");
  }
  check_extra_outputs_unused();  // the mask
  pass_through();
}

}  // namespace safsim::onnx_detail
