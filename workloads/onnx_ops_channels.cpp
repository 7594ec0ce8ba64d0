// Per-op ONNX -> IR rules of the ops that move channels or only rename a tensor: Concat, Split
// and Slice on the channel axis and the Transpose + Reshape channel shuffle become one kConcat
// layer each (a channel gather); Flatten, Reshape, Squeeze and Unsqueeze that keep the CHW order
// are renames; Pad is folded into the Conv that reads it.
#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <utility>

#include "workloads/onnx_import_state.h"

namespace safsim::onnx_detail {
std::vector<int64_t> Value::dims() const {
  if (split_groups > 0) {
    const int64_t g = split_groups, per = shape.c / split_groups;
    return shuffled ? std::vector<int64_t>{1, per, g, shape.h, shape.w}
                    : std::vector<int64_t>{1, g, per, shape.h, shape.w};
  }
  if (rank == 2) {
    return {1, shape.c};
  }
  return {1, shape.c, shape.h, shape.w};
}

void Importer::add_channel_gather(const std::vector<Value>& ins, std::vector<ChannelSource> map,
                                  int output) {
  Layer l;
  l.kind = LayerKind::kConcat;
  const Shape out{static_cast<int>(map.size()), ins[0].shape.h, ins[0].shape.w};
  l.channel_map = std::move(map);
  const std::string name = node_name_;
  if (node_->output_size() > 1) {
    node_name_ = fmt::format("{}.{}", name, output);
  }
  add_layer(std::move(l), ins, out, ins[0].rank, output);
  node_name_ = name;
}

void Importer::concat() {
  check_attributes({"axis"});
  std::vector<Value> ins;
  for (int i = 0; i < node_->input_size(); ++i) {
    ins.push_back(input_value(i));
  }
  const int axis = channel_axis(attr_int("axis", 1), ins[0]);
  if (axis != 1) {
    fail(fmt::format("axis {} is not supported; only the channel axis 1", axis));
  }
  std::vector<ChannelSource> map;
  for (size_t i = 0; i < ins.size(); ++i) {
    if (ins[i].rank != ins[0].rank || ins[i].shape.h != ins[0].shape.h ||
        ins[i].shape.w != ins[0].shape.w) {
      fail(fmt::format("input '{}' is {}x{}x{}, input '{}' is {}x{}x{}: only H and W must match",
                       node_->input(0), ins[0].shape.c, ins[0].shape.h, ins[0].shape.w,
                       node_->input(int(i)), ins[i].shape.c, ins[i].shape.h, ins[i].shape.w));
    }
    for (int c = 0; c < ins[i].shape.c; ++c) {
      map.push_back({static_cast<int>(i), c});
    }
  }
  add_channel_gather(ins, std::move(map), 0);
}

// Split sizes come from the attribute (up to opset 12), the second input (13+) or an equal split.
void Importer::split() {
  check_attributes({"axis", "split", "num_outputs"});
  const Value x = input_value(0);
  const int axis = channel_axis(attr_int("axis", 0), x);
  if (axis != 1) {
    fail(fmt::format("axis {} is not supported; only the channel axis 1", axis));
  }
  const int outputs = node_->output_size();
  std::vector<int64_t> sizes = attr_ints("split", {});
  if (has_input(1)) {
    sizes = input_const(1, "split").ints;
  }
  if (sizes.empty()) {
    if (x.shape.c % outputs != 0) {
      fail(fmt::format("{} channels do not split equally into {} outputs", x.shape.c, outputs));
    }
    sizes.assign(size_t(outputs), x.shape.c / outputs);
  }
  if (int(sizes.size()) != outputs ||
      std::accumulate(sizes.begin(), sizes.end(), int64_t{0}) != x.shape.c ||
      std::any_of(sizes.begin(), sizes.end(), [](int64_t s) { return s <= 0; })) {
    fail(fmt::format("split sizes [{}] do not cut {} channels into {} outputs",
                     fmt::join(sizes, ", "), x.shape.c, outputs));
  }
  int first = 0;
  for (int o = 0; o < outputs; ++o) {
    std::vector<ChannelSource> map;
    for (int c = 0; c < sizes[size_t(o)]; ++c) {
      map.push_back({0, first + c});
    }
    first += static_cast<int>(sizes[size_t(o)]);
    if (!node_->output(o).empty()) {
      add_channel_gather({x}, std::move(map), o);
    }
  }
}

// A slice of the channel axis with a positive step; other axes only over their whole range.
void Importer::slice() {
  check_attributes({"starts", "ends", "axes"});
  const Value x = input_value(0);
  std::vector<int64_t> starts = attr_ints("starts", {});
  std::vector<int64_t> ends = attr_ints("ends", {});
  std::vector<int64_t> axes = attr_ints("axes", {});
  std::vector<int64_t> steps;
  if (has_input(1)) {  // opset 10+
    starts = input_const(1, "starts").ints;
    ends = input_const(2, "ends").ints;
    if (has_input(3)) {
      axes = input_const(3, "axes").ints;
    }
    if (has_input(4)) {
      steps = input_const(4, "steps").ints;
    }
  }
  if (axes.empty()) {
    for (size_t i = 0; i < starts.size(); ++i) {
      axes.push_back(int64_t(i));
    }
  }
  steps.resize(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size()) {
    fail("starts, ends and axes must have the same length");
  }
  const std::vector<int64_t> dims = x.dims();
  std::vector<ChannelSource> map;
  for (int c = 0; c < x.shape.c; ++c) {
    map.push_back({0, c});
  }
  for (size_t i = 0; i < starts.size(); ++i) {
    const int axis = channel_axis(axes[i], x);
    const int64_t dim = dims[size_t(axis)];
    const auto clampi = [&](int64_t v) {
      v = v < 0 ? v + dim : v;
      return std::clamp<int64_t>(v, 0, dim);
    };
    const int64_t b = clampi(starts[i]), e = clampi(ends[i]);
    if (axis != 1) {
      if (b != 0 || e != dim || steps[i] != 1) {
        fail(fmt::format("slicing axis {} is not supported; only the channel axis 1", axis));
      }
      continue;
    }
    if (steps[i] < 1) {
      fail(fmt::format("step {} is not supported; only positive steps", steps[i]));
    }
    map.clear();
    for (int64_t c = b; c < e; c += steps[i]) {
      map.push_back({0, static_cast<int>(c)});
    }
  }
  if (map.empty()) {
    fail("the slice selects no channel");
  }
  add_channel_gather({x}, std::move(map), 0);
}

// Only the channel shuffle's [0, 2, 1, 3, 4] of an N x g x C/g x H x W reshape.
void Importer::transpose() {
  check_attributes({"perm"});
  Value x = raw_value(0);
  const std::vector<int64_t> perm = attr_ints("perm", {});
  if (x.split_groups > 0 && perm == std::vector<int64_t>{0, 2, 1, 3, 4}) {
    x.shuffled = !x.shuffled;
    x.exclusive = false;
    set_output(x);
    return;
  }
  fail(
      fmt::format("perm [{}] is not supported; only the channel shuffle (Reshape to N x g x "
                  "C/g x H x W, Transpose [0, 2, 1, 3, 4], Reshape back)",
                  fmt::join(perm, ", ")));
}

// Reshapes that keep the CHW element order are renames: flattening (x.view(N, -1)), N x C <->
// N x C x 1 x 1, and the two halves of the channel shuffle.
void Importer::reshape() {
  check_attributes({"allowzero"});
  Value x = raw_value(0);
  if (x.has_pad()) {
    input_value(0);  // refuses it with the message
  }
  const std::vector<int64_t> in = x.dims();
  std::vector<int64_t> s = input_const(1, "shape").ints;
  const bool allow_zero = attr_int("allowzero", 0) != 0;
  int64_t known = 1;
  int infer = -1;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == 0 && !allow_zero && i < in.size()) {
      s[i] = in[i];
    }
    if (s[i] == -1 && infer < 0) {
      infer = static_cast<int>(i);
    } else if (s[i] < 0) {
      fail(fmt::format("shape [{}] has a negative size", fmt::join(s, ", ")));
    } else {
      known *= s[i];
    }
  }
  const int64_t size = x.shape.size();
  if (infer >= 0) {
    s[size_t(infer)] = known > 0 && size % known == 0 ? size / known : -1;
  }
  const auto refuse = [&] {
    fail(
        fmt::format("reshape of a {} tensor [{}] to [{}] is not supported; only flattening to "
                    "[N, -1], [N, C, 1, 1] <-> [N, C], and the channel shuffle",
                    x.rank == 2 ? "flattened" : "4-D", fmt::join(in, ", "),
                    fmt::join(input_const(1, "shape").ints, ", ")));
  };
  if (s.empty() || s[0] != 1) {
    refuse();  // the batch dimension must stay
  }
  Value out = x;
  out.exclusive = false;
  if (s.size() == 5 && x.split_groups == 0 && x.rank == 4 && !x.has_affine() &&
      s[1] * s[2] == x.shape.c && s[3] == x.shape.h && s[4] == x.shape.w && s[1] > 0) {
    out.split_groups = static_cast<int>(s[1]);  // first half of a channel shuffle
    set_output(out);
    return;
  }
  if (s.size() == 4 && x.split_groups > 0 && s[1] == x.shape.c && s[2] == x.shape.h &&
      s[3] == x.shape.w) {
    if (!x.shuffled) {  // reshaped back unchanged
      out.split_groups = 0;
      set_output(out);
      return;
    }
    // out channel i * g + j is input channel j * (C / g) + i
    const int g = x.split_groups, per = x.shape.c / g;
    std::vector<ChannelSource> map;
    for (int i = 0; i < per; ++i) {
      for (int j = 0; j < g; ++j) {
        map.push_back({0, j * per + i});
      }
    }
    Value src = x;
    src.split_groups = 0;
    src.shuffled = false;
    add_channel_gather({src}, std::move(map), 0);
    return;
  }
  if (x.split_groups > 0) {
    refuse();
  }
  if (s.size() == 2 && s[1] == size) {
    if (x.rank == 4 && (x.shape.h != 1 || x.shape.w != 1)) {
      flatten();
      return;
    }
    out.rank = 2;
    set_output(out);
    return;
  }
  if (s.size() == 4 && s[1] == x.shape.c && s[2] == x.shape.h && s[3] == x.shape.w) {
    out.rank = 4;  // N x C -> N x C x 1 x 1, or the identity
    set_output(out);
    return;
  }
  refuse();
}

// Flatten keeps the CHW order; a pending per-channel transform becomes one per feature.
void Importer::flatten() {
  if (node_->op_type() == "Flatten") {
    check_attributes({"axis"});
  }
  Value x = raw_value(0);
  if (x.has_pad() || x.split_groups > 0) {
    input_value(0);  // refuses it with the message
  }
  const int64_t axis = attr_int("axis", 1);
  if (node_->op_type() == "Flatten" && axis != 1 && axis + x.rank != 1) {
    fail(fmt::format("attribute axis = {} is not supported; only axis = 1 (keep the batch)", axis));
  }
  const int64_t plane = int64_t{x.shape.h} * x.shape.w;
  if (x.has_affine()) {
    std::vector<float> scale, shift;
    for (size_t c = 0; c < x.scale.size(); ++c) {
      scale.insert(scale.end(), size_t(plane), x.scale[c]);
      shift.insert(shift.end(), size_t(plane), x.shift[c]);
    }
    x.scale = std::move(scale);
    x.shift = std::move(shift);
  }
  if (x.rank == 2 || plane == 1) {  // C x 1 x 1 is already flat: a rename
    x.rank = 2;
    x.shape = Shape{static_cast<int>(x.shape.size()), 1, 1};
    x.exclusive = false;
    set_output(x);
    return;
  }
  Layer l;
  l.kind = LayerKind::kFlatten;
  Value in = x;
  in.scale.clear();
  in.shift.clear();
  add_layer(std::move(l), {in}, Shape{static_cast<int>(x.shape.size()), 1, 1}, 2);
  if (x.has_affine()) {
    Value v = values_.at(node_->output(0));
    v.scale = x.scale;
    v.shift = x.shift;
    set_output(v);
  }
}

void Importer::squeeze() {
  check_attributes({"axes"});
  Value x = input_value(0);
  std::vector<int64_t> axes = attr_ints("axes", {2, 3});
  if (has_input(1)) {
    axes = input_const(1, "axes").ints;  // opset 13
  }
  std::vector<int> normalized;
  for (int64_t a : axes) {
    normalized.push_back(channel_axis(a, x));
  }
  std::sort(normalized.begin(), normalized.end());
  if (x.rank != 4 || x.shape.h != 1 || x.shape.w != 1 || normalized != std::vector<int>{2, 3}) {
    fail("only squeezing the unit H and W axes [2, 3] of an N x C x 1 x 1 tensor is supported");
  }
  x.rank = 2;
  x.exclusive = false;
  set_output(x);
}

void Importer::unsqueeze() {
  check_attributes({"axes"});
  Value x = input_value(0);
  std::vector<int64_t> axes = attr_ints("axes", {});
  if (has_input(1)) {
    axes = input_const(1, "axes").ints;  // opset 13
  }
  for (int64_t& a : axes) {
    a = a < 0 ? a + 4 : a;
  }
  std::sort(axes.begin(), axes.end());
  if (x.rank != 2 || axes != std::vector<int64_t>{2, 3}) {
    fail("only unsqueezing an N x C tensor to N x C x 1 x 1 (axes [2, 3]) is supported");
  }
  x.rank = 4;
  x.exclusive = false;
  set_output(x);
}

// A zero Pad of H and W (pads [0, 0, top, left, 0, 0, bottom, right]) folds into the Conv after.
void Importer::pad() {
  check_attributes({"mode", "pads", "value"});
  Value x = raw_value(0);
  const std::string mode = attr_string("mode", "constant");
  if (mode != "constant") {
    fail(fmt::format("mode = {} is not supported; only constant (zero) padding", mode));
  }
  std::vector<int64_t> pads = attr_ints("pads", {});
  float value = attr_float("value", 0.0f);
  if (has_input(1)) {  // opset 11
    pads = input_const(1, "pads").ints;
    if (has_input(2)) {
      value = input_const(2, "constant_value").values.at(0);
    }
  }
  if (value != 0.0f) {
    fail(fmt::format("constant value {} is not supported; only 0", value));
  }
  if (x.rank != 4 || pads.size() != 8 || pads[0] || pads[1] || pads[4] || pads[5] ||
      std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p < 0 || p > kMaxDim; })) {
    fail(
        fmt::format("pads [{}] are not supported; only non-negative padding of H and W of an "
                    "N x C x H x W tensor",
                    fmt::join(pads, ", ")));
  }
  if (x.split_groups > 0) {
    input_value(0);  // refuses it with the message
  }
  x.pad[0] += static_cast<int>(pads[2]);
  x.pad[1] += static_cast<int>(pads[3]);
  x.pad[2] += static_cast<int>(pads[6]);
  x.pad[3] += static_cast<int>(pads[7]);
  x.exclusive = false;
  set_output(x);
}

}  // namespace safsim::onnx_detail
