// Constant folding at import: the shape arithmetic exporters emit for dynamic batch sizes
// (x.view(x.size(0), -1) becomes Shape -> Gather -> Unsqueeze -> Concat -> Reshape) is evaluated
// from the model's static per-image shape, with a batch of 1, so that only the Reshape remains.
// Any node whose inputs are all constants and whose op is below is evaluated the same way.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "workloads/onnx_import_state.h"
#include "workloads/onnx_tensor.h"

namespace safsim::onnx_detail {
namespace {

bool is_integer(const ConstTensor& t) { return !t.ints.empty() || t.values.empty(); }

ConstTensor from_ints(std::vector<int64_t> ints, std::vector<int64_t> dims) {
  ConstTensor t;
  t.dims = std::move(dims);
  t.values.assign(ints.begin(), ints.end());
  t.ints = std::move(ints);
  return t;
}

ConstTensor from_floats(std::vector<float> values, std::vector<int64_t> dims) {
  ConstTensor t;
  t.dims = std::move(dims);
  t.values = std::move(values);
  return t;
}

}  // namespace

bool Importer::all_inputs_known() const {
  for (int i = 0; i < node_->input_size(); ++i) {
    if (!node_->input(i).empty() && consts_.count(node_->input(i)) == 0) {
      return false;
    }
  }
  return node_->input_size() > 0;
}

// Shape of a computed tensor, with a batch of 1 (the model's static per-image shape).
ConstTensor Importer::shape_of(int i) const {
  const std::vector<int64_t> dims = raw_value(i).dims();
  const int64_t rank = static_cast<int64_t>(dims.size());
  const auto clampi = [&](int64_t a) { return std::clamp<int64_t>(a < 0 ? a + rank : a, 0, rank); };
  const int64_t start = clampi(attr_int("start", 0));  // opset 15
  const int64_t end = clampi(attr_int("end", rank));
  std::vector<int64_t> part(dims.begin() + start, dims.begin() + std::max(start, end));
  const int64_t n = static_cast<int64_t>(part.size());
  return from_ints(std::move(part), {n});
}

bool Importer::fold_constant_node() {
  const std::string& op = node_->op_type();
  if (op == "Shape") {
    if (is_const(0)) {
      const ConstTensor& c = consts_.at(node_->input(0));
      consts_[node_->output(0)] = from_ints(c.dims, {int64_t(c.dims.size())});
    } else {
      consts_[node_->output(0)] = shape_of(0);
    }
    return true;
  }
  static const char* const kFoldable[] = {
      "Gather", "Unsqueeze", "Squeeze", "Concat",          "Cast",    "Slice",   "Add",
      "Sub",    "Mul",       "Div",     "ConstantOfShape", "Reshape", "Identity"};
  if (std::none_of(std::begin(kFoldable), std::end(kFoldable),
                   [&](const char* f) { return op == f; }) ||
      !all_inputs_known()) {
    return false;
  }
  const auto in = [&](int i) -> const ConstTensor& { return consts_.at(node_->input(i)); };
  ConstTensor out;
  if (op == "Identity") {
    out = in(0);
  } else if (op == "Gather") {
    const ConstTensor& data = in(0);
    const ConstTensor& idx = in(1);
    if (attr_int("axis", 0) != 0 || data.dims.size() > 1) {
      fail("only gathering from a 1-D constant (a shape) is supported");
    }
    const int64_t n = data.size();
    std::vector<float> values;
    std::vector<int64_t> ints;
    for (float f : idx.values) {
      int64_t k = static_cast<int64_t>(f);
      k = k < 0 ? k + n : k;
      if (k < 0 || k >= n) {
        fail(fmt::format("index {} is out of range for {} values", f, n));
      }
      values.push_back(data.values[size_t(k)]);
      if (is_integer(data)) {
        ints.push_back(data.ints[size_t(k)]);
      }
    }
    out = is_integer(data) ? from_ints(ints, idx.dims) : from_floats(values, idx.dims);
  } else if (op == "Unsqueeze" || op == "Squeeze" || op == "Reshape") {
    out = in(0);
    if (op == "Reshape") {
      out.dims = in(1).ints;
      int64_t known = 1;
      for (int64_t& d : out.dims) {
        known *= d > 0 ? d : 1;
      }
      for (int64_t& d : out.dims) {
        d = d == -1 ? out.size() / std::max<int64_t>(known, 1) : d;
      }
    } else if (op == "Unsqueeze") {
      std::vector<int64_t> axes = attr_ints("axes", {});
      if (has_input(1)) {
        axes = in(1).ints;
      }
      std::sort(axes.begin(), axes.end());
      for (int64_t a : axes) {
        a = a < 0 ? a + int64_t(out.dims.size()) + 1 : a;
        out.dims.insert(out.dims.begin() + std::clamp<int64_t>(a, 0, int64_t(out.dims.size())), 1);
      }
    } else {
      out.dims.erase(std::remove(out.dims.begin(), out.dims.end(), 1), out.dims.end());
    }
  } else if (op == "Concat") {
    bool ints = true;
    for (int i = 0; i < node_->input_size(); ++i) {
      ints = ints && is_integer(in(i));
    }
    std::vector<float> values;
    std::vector<int64_t> iv;
    for (int i = 0; i < node_->input_size(); ++i) {
      if (in(i).dims.size() > 1) {
        fail("only concatenating 1-D constants (shapes) is supported");
      }
      values.insert(values.end(), in(i).values.begin(), in(i).values.end());
      iv.insert(iv.end(), in(i).ints.begin(), in(i).ints.end());
    }
    const int64_t n = static_cast<int64_t>(values.size());
    out = ints ? from_ints(iv, {n}) : from_floats(values, {n});
  } else if (op == "Cast") {
    const int64_t to = attr_int("to", onnx::TensorProto::FLOAT);
    const ConstTensor& x = in(0);
    if (to == onnx::TensorProto::FLOAT || to == onnx::TensorProto::DOUBLE) {
      out = from_floats(x.values, x.dims);
    } else if (to == onnx::TensorProto::INT64 || to == onnx::TensorProto::INT32) {
      std::vector<int64_t> iv;
      for (float f : x.values) {
        iv.push_back(static_cast<int64_t>(f));
      }
      out = from_ints(iv, x.dims);
    } else {
      fail(fmt::format("casting a constant to {} is not supported",
                       data_type_name(static_cast<int>(to))));
    }
  } else if (op == "Slice") {
    const ConstTensor& x = in(0);
    if (x.dims.size() != 1) {
      fail("only slicing a 1-D constant (a shape) is supported");
    }
    const int64_t n = x.size();
    const auto pick = [&](int i, const char* name, int64_t fallback) {
      if (has_input(i)) {
        return in(i).ints.at(0);
      }
      const std::vector<int64_t> a = attr_ints(name, {fallback});
      return a.at(0);
    };
    const auto clampi = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + n : v, 0, n); };
    const int64_t b = clampi(pick(1, "starts", 0)), e = clampi(pick(2, "ends", n));
    const int64_t step = has_input(4) ? in(4).ints.at(0) : 1;
    if (step != 1) {
      fail("only slicing a constant with step 1 is supported");
    }
    std::vector<float> values(x.values.begin() + b, x.values.begin() + std::max(b, e));
    std::vector<int64_t> iv;
    if (is_integer(x)) {
      iv.assign(x.ints.begin() + b, x.ints.begin() + std::max(b, e));
    }
    out = is_integer(x) ? from_ints(iv, {int64_t(values.size())})
                        : from_floats(values, {int64_t(values.size())});
  } else if (op == "ConstantOfShape") {
    int64_t count = 1;
    for (int64_t d : in(0).ints) {
      if (d < 0 || d > kMaxDim || count * d > kMaxElements) {
        fail(fmt::format("shape [{}] is implausible", fmt::join(in(0).ints, ", ")));
      }
      count *= d;
    }
    const onnx::AttributeProto* v = attr("value", onnx::AttributeProto::TENSOR);
    const ConstTensor fill = v != nullptr ? decode(v->t()) : from_floats({0.0f}, {1});
    out = is_integer(fill)
              ? from_ints(std::vector<int64_t>(size_t(count), fill.ints.at(0)), in(0).ints)
              : from_floats(std::vector<float>(size_t(count), fill.values.at(0)), in(0).ints);
  } else {  // Add, Sub, Mul, Div
    const ConstTensor& a = in(0);
    const ConstTensor& b = in(1);
    if (a.size() != b.size() && a.size() != 1 && b.size() != 1) {
      fail("only elementwise arithmetic on constants of equal size or with a scalar is folded");
    }
    const ConstTensor& big = a.size() >= b.size() ? a : b;
    const bool ints = is_integer(a) && is_integer(b);
    std::vector<float> values;
    std::vector<int64_t> iv;
    for (int64_t k = 0; k < big.size(); ++k) {
      const size_t ka = a.size() == 1 ? 0 : size_t(k), kb = b.size() == 1 ? 0 : size_t(k);
      if (ints) {
        const int64_t x = a.ints[ka], y = b.ints[kb];
        if (op == "Div" && y == 0) {
          fail("integer division by zero");
        }
        iv.push_back(op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y);
      } else {
        const float x = a.values[ka], y = b.values[kb];
        values.push_back(op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y);
      }
    }
    out = ints ? from_ints(iv, big.dims) : from_floats(values, big.dims);
  }
  consts_[node_->output(0)] = std::move(out);
  return true;
}

}  // namespace safsim::onnx_detail
