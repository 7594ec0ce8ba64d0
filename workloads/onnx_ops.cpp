// Per-op ONNX -> IR rules: which attributes each op accepts, the shapes it produces, and the
// BatchNormalization fold; linear layers are in onnx_ops_linear.cpp, the graph walk and error
// plumbing in onnx_import.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "workloads/onnx_import_state.h"

namespace safsim::onnx_detail {

const std::vector<Importer::OpEntry>& Importer::op_table() {
  // The order is the one error messages list as "supported ops".
  static const std::vector<OpEntry> table = {
      {"Conv", &Importer::conv},
      {"Gemm", &Importer::gemm},
      {"MatMul", &Importer::matmul},
      {"Add", &Importer::add},
      {"Relu", &Importer::relu},
      {"Sigmoid", &Importer::sigmoid},
      {"MaxPool", &Importer::max_pool},
      {"AveragePool", &Importer::average_pool},
      {"GlobalAveragePool", &Importer::global_average_pool},
      {"Flatten", &Importer::flatten},
      {"Reshape", &Importer::reshape},
      {"BatchNormalization", &Importer::batch_norm},
      {"Constant", &Importer::constant},
      {"Identity", &Importer::identity},
      {"Dropout", &Importer::dropout},
  };
  return table;
}

void Importer::conv() {
  check_attributes({"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
  const Value x = image_input(0);
  const ConstTensor& w = input_const(1, "W");
  if (w.dims.size() != 4) {
    fail(
        fmt::format("weight '{}' has shape [{}]; only 2-D convolutions (O x C x KH x KW) are "
                    "supported",
                    node_->input(1), fmt::join(w.dims, ", ")));
  }
  const int64_t group = attr_int("group", 1);
  if (group != 1) {
    fail(fmt::format("attribute group = {} is not supported; only group = 1", group));
  }
  if (w.dims[1] != x.shape.c) {
    fail(fmt::format("weight '{}' expects {} input channels, but the input has {}", node_->input(1),
                     w.dims[1], x.shape.c));
  }
  const std::vector<int64_t> kernel = attr_ints("kernel_shape", {w.dims[2], w.dims[3]});
  if (kernel != std::vector<int64_t>{w.dims[2], w.dims[3]}) {
    fail(fmt::format("attribute kernel_shape = [{}] does not match the weight's {}x{}",
                     fmt::join(kernel, ", "), w.dims[2], w.dims[3]));
  }
  const int out_c = static_cast<int>(w.dims[0]);
  Layer l;
  l.kind = LayerKind::kConv2d;
  l.geom = read_window(static_cast<int>(w.dims[2]), static_cast<int>(w.dims[3]));
  l.weight = w.values;
  l.bias = bias_input(2, out_c, "B");
  const Shape out = window_output(x, l.geom, out_c);
  add_layer(std::move(l), {x}, out, 4);
}

void Importer::relu() {
  check_attributes({});
  const Value x = input_value(0);
  Layer l;
  l.kind = LayerKind::kRelu;
  add_layer(std::move(l), {x}, x.shape, x.rank);
}

void Importer::sigmoid() {
  check_attributes({});
  const Value x = input_value(0);
  Layer l;
  l.kind = LayerKind::kSigmoid;
  add_layer(std::move(l), {x}, x.shape, x.rank);
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
  if (ceil_mode != 0) {
    fail(fmt::format("attribute ceil_mode = {} is not supported; only ceil_mode = 0", ceil_mode));
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
  Layer l;
  l.kind = kind;
  l.geom = read_window(static_cast<int>(kernel[0]), static_cast<int>(kernel[1]));
  l.geom.count_include_pad = include_pad == 1;
  // A window lying entirely in the padding has no defined maximum.
  if (std::max(l.geom.pad_top, l.geom.pad_bottom) >= l.geom.kernel_h ||
      std::max(l.geom.pad_left, l.geom.pad_right) >= l.geom.kernel_w) {
    fail("attribute pads must be smaller than kernel_shape");
  }
  const Shape out = window_output(x, l.geom, x.shape.c);
  add_layer(std::move(l), {x}, out, 4);
}

void Importer::global_average_pool() {
  check_attributes({});
  const Value x = image_input(0);
  Layer l;
  l.kind = LayerKind::kGlobalAvgPool;
  add_layer(std::move(l), {x}, Shape{x.shape.c, 1, 1}, 4);
}

void Importer::flatten() {
  check_attributes({"axis"});
  const Value x = input_value(0);
  const int64_t axis = attr_int("axis", 1);
  if (axis != 1 && axis + x.rank != 1) {
    fail(fmt::format("attribute axis = {} is not supported; only axis = 1 (keep the batch)", axis));
  }
  Layer l;
  l.kind = LayerKind::kFlatten;
  add_layer(std::move(l), {x}, Shape{static_cast<int>(x.shape.size()), 1, 1}, 2);
}

// Only the flattening reshapes PyTorch emits for x.view(1, -1) / x.reshape(-1, 800) and the
// like: [N, -1], [1, -1], [0, -1], [-1, C*H*W], [1, C*H*W].
void Importer::reshape() {
  check_attributes({"allowzero"});
  const Value x = input_value(0);
  const ConstTensor& shape = input_const(1, "shape");
  const std::vector<int64_t>& s = shape.ints;
  const int64_t size = x.shape.size();
  const bool keep_batch = attr_int("allowzero", 0) == 0 && s.size() == 2 && s[0] == 0;
  const bool ok = s.size() == 2 && (s[0] == 1 || s[0] == -1 || keep_batch) &&
                  (s[1] == size || (s[1] == -1 && s[0] != -1));
  if (!ok) {
    fail(
        fmt::format("reshape of a {}x{}x{} tensor to [{}] is not supported; only flattening "
                    "to [N, -1], [1, -1] or [-1, {}]",
                    x.shape.c, x.shape.h, x.shape.w, fmt::join(s, ", "), size));
  }
  Layer l;
  l.kind = LayerKind::kFlatten;
  add_layer(std::move(l), {x}, Shape{static_cast<int>(size), 1, 1}, 2);
}

// Folded at import because the accelerator has no BN unit:
//   w' = w * gamma / sqrt(var + eps),  b' = (b - mean) * gamma / sqrt(var + eps) + beta.
void Importer::batch_norm() {
  check_attributes({"epsilon", "momentum", "training_mode", "spatial"});
  const Value x = input_value(0);
  if (x.layer < 0 || model_.layers[x.layer].kind != LayerKind::kConv2d || !sole_use(0)) {
    fail(
        fmt::format("BatchNormalization is folded into the Conv before it, so it must directly "
                    "follow a Conv (or Gemm/MatMul) whose output nothing else reads; '{}' comes "
                    "from {}",
                    node_->input(0), describe(x)));
  }
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
  Layer& l = model_.layers[x.layer];
  const int channels = l.out_shape.c;
  const char* roles[] = {"scale", "B", "mean", "var"};
  std::vector<const ConstTensor*> p;
  for (int i = 0; i < 4; ++i) {
    p.push_back(&input_const(i + 1, roles[i]));
    if (p.back()->size() != channels) {
      fail(fmt::format("{} '{}' has {} values; expected one per channel ({})", roles[i],
                       node_->input(i + 1), p.back()->size(), channels));
    }
  }
  const size_t per_channel = l.weight.size() / channels;
  for (int o = 0; o < channels; ++o) {
    const double var = p[3]->values[o];
    if (!(var + eps > 0.0)) {
      fail(fmt::format("var[{}] + epsilon = {} is not positive", o, var + eps));
    }
    const double s = p[0]->values[o] / std::sqrt(var + eps);
    for (size_t k = 0; k < per_channel; ++k) {
      float& w = l.weight[o * per_channel + k];
      w = static_cast<float>(w * s);
    }
    l.bias[o] = static_cast<float>((l.bias[o] - p[2]->values[o]) * s + p[1]->values[o]);
  }
  set_output(x);
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
