// Node-level helpers of the ONNX importer: error messages with the node's name and op, typed
// attribute access, input lookup (computed tensors vs constants), and window geometry.
#include "workloads/onnx_import_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "base/errors.h"

namespace safsim::onnx_detail {

void Importer::fail(const std::string& what) const {
  if (node_ == nullptr) {
    throw ModelError(fmt::format("{}: {}", path_, what));
  }
  throw ModelError(
      fmt::format("{}: node '{}' (op {}): {}", path_, node_name_, node_->op_type(), what));
}

std::string Importer::describe(const Value& v) const {
  if (v.layer < 0) {
    return "the model input";
  }
  const Layer& l = model_.layers[v.layer];
  return fmt::format("node '{}' (op {})", l.name, l.onnx_op);
}

void Importer::check_attributes(std::initializer_list<const char*> known) const {
  for (const onnx::AttributeProto& a : node_->attribute()) {
    if (std::none_of(known.begin(), known.end(), [&](const char* k) { return a.name() == k; })) {
      fail(fmt::format("attribute '{}' is not supported", a.name()));
    }
  }
}

const onnx::AttributeProto* Importer::attr(const char* name,
                                           onnx::AttributeProto::AttributeType t) const {
  for (const onnx::AttributeProto& a : node_->attribute()) {
    if (a.name() == name) {
      if (a.type() != t) {
        fail(fmt::format("attribute {} has type {}, expected {}", name,
                         onnx::AttributeProto_AttributeType_Name(a.type()),
                         onnx::AttributeProto_AttributeType_Name(t)));
      }
      return &a;
    }
  }
  return nullptr;
}

int64_t Importer::attr_int(const char* name, int64_t fallback) const {
  const onnx::AttributeProto* a = attr(name, onnx::AttributeProto::INT);
  return a != nullptr ? a->i() : fallback;
}

float Importer::attr_float(const char* name, float fallback) const {
  const onnx::AttributeProto* a = attr(name, onnx::AttributeProto::FLOAT);
  return a != nullptr ? a->f() : fallback;
}

std::vector<int64_t> Importer::attr_ints(const char* name, std::vector<int64_t> fallback) const {
  const onnx::AttributeProto* a = attr(name, onnx::AttributeProto::INTS);
  return a != nullptr ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : fallback;
}

std::string Importer::attr_string(const char* name, const std::string& fallback) const {
  const onnx::AttributeProto* a = attr(name, onnx::AttributeProto::STRING);
  return a != nullptr ? a->s() : fallback;
}

bool Importer::has_input(int i) const {
  return i < node_->input_size() && !node_->input(i).empty();
}

bool Importer::is_const(int i) const { return has_input(i) && consts_.count(node_->input(i)) > 0; }

Value Importer::raw_value(int i) const {
  if (!has_input(i)) {
    fail(fmt::format("input {} is missing", i));
  }
  const std::string& name = node_->input(i);
  const auto it = values_.find(name);
  if (it != values_.end()) {
    return it->second;
  }
  if (consts_.count(name) > 0) {
    fail(fmt::format("input '{}' is a constant; expected a tensor computed from the model input",
                     name));
  }
  fail(fmt::format("input '{}' is not produced by any earlier node or the graph input", name));
}

Value Importer::input_value(int i) const {
  const Value v = raw_value(i);
  if (v.has_affine()) {
    fail(
        fmt::format("input '{}' is {} scaled or shifted by constants; safsim folds such "
                    "constants only into the Conv, Gemm or MatMul that reads them next",
                    node_->input(i), describe(v)));
  }
  if (v.has_pad()) {
    fail(
        fmt::format("input '{}' comes from a Pad; safsim folds a zero Pad only into the Conv "
                    "that reads it next",
                    node_->input(i)));
  }
  if (v.split_groups > 0) {
    fail(
        fmt::format("input '{}' is a 5-D reshape of {}; only the channel shuffle "
                    "(Reshape, Transpose [0, 2, 1, 3, 4], Reshape back) is supported",
                    node_->input(i), describe(v)));
  }
  return v;
}

Value Importer::image_input(int i) const {
  const Value v = input_value(i);
  if (v.rank != 4) {
    fail(fmt::format("input '{}' is a flattened N x {} tensor; expected N x C x H x W",
                     node_->input(i), v.shape.c));
  }
  return v;
}

const ConstTensor& Importer::input_const(int i, const char* role) const {
  if (!has_input(i)) {
    fail(fmt::format("input {} ({}) is missing", i, role));
  }
  const std::string& name = node_->input(i);
  const auto it = consts_.find(name);
  if (it != consts_.end()) {
    return it->second;
  }
  if (values_.count(name) > 0) {
    fail(fmt::format("input {} '{}' must be an initializer or Constant, not a computed tensor",
                     role, name));
  }
  fail(fmt::format("initializer '{}' for input {} not found", name, role));
}

bool Importer::sole_use(int i) const {
  const Value v = input_value(i);
  return v.layer >= 0 && v.exclusive && consumers_.at(node_->input(i)) == 1;
}

void Importer::check_extra_outputs_unused() const {
  for (int i = 1; i < node_->output_size(); ++i) {
    const std::string& name = node_->output(i);
    if (!name.empty() && consumers_.count(name) > 0) {
      fail(fmt::format("output {} ('{}') is used; only the first output is supported", i, name));
    }
  }
}

void Importer::add_layer(Layer l, const std::vector<Value>& ins, Shape out, int rank, int output) {
  l.name = node_name_;
  l.onnx_op = node_->op_type();
  for (const Value& v : ins) {
    l.inputs.push_back(v.layer);
  }
  if (out.c <= 0 || out.h <= 0 || out.w <= 0 || out.size() > kMaxActivationElements) {
    fail(
        fmt::format("output {}x{}x{} is empty or larger than the {} elements per image safsim "
                    "accepts (docs/limits.md)",
                    out.c, out.h, out.w, kMaxActivationElements));
  }
  l.in_shape = ins.at(0).shape;
  l.out_shape = out;
  model_.layers.push_back(std::move(l));
  Value v;
  v.layer = static_cast<int>(model_.layers.size()) - 1;
  v.shape = out;
  v.rank = rank;
  set_output(v, output);
}

void Importer::set_output(const Value& v, int output) { values_[node_->output(output)] = v; }

int Importer::channel_axis(int64_t axis, const Value& x) const {
  const int64_t a = axis < 0 ? axis + x.rank : axis;
  if (a < 0 || a >= x.rank) {
    fail(fmt::format("attribute axis = {} is out of range for a {}-D tensor", axis, x.rank));
  }
  return static_cast<int>(a);
}

WindowGeom Importer::read_window(const Value& x, int kernel_h, int kernel_w,
                                 bool allow_dilation) const {
  const std::vector<int64_t> dilations = attr_ints("dilations", {1, 1});
  const auto bad_dilation = [&](int64_t d) {
    return d < 1 || d > kMaxDim || (!allow_dilation && d != 1);
  };
  if (dilations.size() != 2 || std::any_of(dilations.begin(), dilations.end(), bad_dilation)) {
    fail(fmt::format("attribute dilations = [{}] is not supported; {}", fmt::join(dilations, ", "),
                     allow_dilation ? "expected 2 positive values" : "only 1"));
  }
  const std::vector<int64_t> strides = attr_ints("strides", {1, 1});
  const auto out_of_range = [](int64_t v) { return v < 0 || v > kMaxDim; };
  if (strides.size() != 2 || strides[0] < 1 || strides[1] < 1 ||
      std::any_of(strides.begin(), strides.end(), out_of_range)) {
    fail(fmt::format("attribute strides = [{}] is not supported; expected 2 positive values",
                     fmt::join(strides, ", ")));
  }
  std::vector<int64_t> pads = attr_ints("pads", {0, 0, 0, 0});
  if (pads.size() != 4 || std::any_of(pads.begin(), pads.end(), out_of_range)) {
    fail(
        fmt::format("attribute pads = [{}] is not supported; expected [top, left, bottom, "
                    "right] >= 0",
                    fmt::join(pads, ", ")));
  }
  WindowGeom g;
  g.kernel_h = kernel_h;
  g.kernel_w = kernel_w;
  g.dilation_h = static_cast<int>(dilations[0]);
  g.dilation_w = static_cast<int>(dilations[1]);
  g.stride_h = static_cast<int>(strides[0]);
  g.stride_w = static_cast<int>(strides[1]);
  const std::string auto_pad = attr_string("auto_pad", "NOTSET");
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    // Output = ceil(input / stride); the odd padding cell goes at the end (UPPER) or start.
    const auto same = [&](int in, int stride, int extent, int* begin, int* end) {
      const int64_t out = (int64_t{in} + stride - 1) / stride;
      const int64_t total = std::max<int64_t>((out - 1) * stride + extent - in, 0);
      *begin = static_cast<int>(auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2);
      *end = static_cast<int>(total - *begin);
    };
    same(x.shape.h, g.stride_h, g.extent_h(), &g.pad_top, &g.pad_bottom);
    same(x.shape.w, g.stride_w, g.extent_w(), &g.pad_left, &g.pad_right);
    return g;
  }
  if (auto_pad != "NOTSET" && auto_pad != "VALID") {
    fail(
        fmt::format("attribute auto_pad = {} is not supported; expected NOTSET, SAME_UPPER, "
                    "SAME_LOWER or VALID",
                    auto_pad));
  }
  if (auto_pad == "VALID") {
    pads = {0, 0, 0, 0};
  }
  g.pad_top = static_cast<int>(pads[0]);  // ONNX order: all begins, then all ends
  g.pad_left = static_cast<int>(pads[1]);
  g.pad_bottom = static_cast<int>(pads[2]);
  g.pad_right = static_cast<int>(pads[3]);
  return g;
}

Shape Importer::window_output(const Value& x, const WindowGeom& g, int channels,
                              bool ceil_mode) const {
  // 64-bit: pads of up to kMaxDim each must not overflow before they are checked.
  const int64_t padded_h = int64_t{x.shape.h} + g.pad_top + g.pad_bottom;
  const int64_t padded_w = int64_t{x.shape.w} + g.pad_left + g.pad_right;
  if (padded_h < g.extent_h() || padded_w < g.extent_w()) {
    fail(fmt::format("kernel {}x{} is larger than the padded input {}x{}", g.extent_h(),
                     g.extent_w(), padded_h, padded_w));
  }
  // ceil_mode (pooling): a last, partial window is kept when it starts inside the input or its
  // begin padding (PyTorch's rule; ONNX's reference agrees for every window that does).
  const auto positions = [&](int64_t padded, int extent, int stride, int64_t in, int pad) {
    int64_t out = (padded - extent) / stride + 1;
    if (ceil_mode && (padded - extent) % stride != 0 && (out * stride) < in + pad) {
      ++out;
    }
    return out;
  };
  const int64_t out_h = positions(padded_h, g.extent_h(), g.stride_h, x.shape.h, g.pad_top);
  const int64_t out_w = positions(padded_w, g.extent_w(), g.stride_w, x.shape.w, g.pad_left);
  if (int64_t{channels} * out_h * out_w > kMaxActivationElements) {
    fail(
        fmt::format("output {}x{}x{} is larger than the {} elements per image safsim accepts "
                    "(docs/limits.md)",
                    channels, out_h, out_w, kMaxActivationElements));
  }
  return Shape{channels, static_cast<int>(out_h), static_cast<int>(out_w)};
}

}  // namespace safsim::onnx_detail
