// Per-op ONNX -> IR rules of the elementwise activations. ReLU and Sigmoid keep their own layer
// kinds (the papers' models use them); the others are one kUnary layer each (workloads/model.h).
#include <fmt/format.h>

#include <limits>
#include <utility>

#include "workloads/onnx_import_state.h"

namespace safsim::onnx_detail {

void Importer::add_unary(UnaryOp op) {
  const Value x = input_value(0);
  Layer l;
  l.kind = LayerKind::kUnary;
  l.unary = std::move(op);
  add_layer(std::move(l), {x}, x.shape, x.rank);
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

// Bounds are attributes up to opset 10 and optional inputs from opset 11 (ReLU6: 0 and 6).
void Importer::clip() {
  check_attributes({"min", "max"});
  UnaryOp op;
  op.fn = UnaryFn::kClip;
  op.lo = attr_float("min", -std::numeric_limits<float>::infinity());
  op.hi = attr_float("max", std::numeric_limits<float>::infinity());
  const char* roles[] = {"min", "max"};
  for (int i = 1; i <= 2; ++i) {
    if (has_input(i)) {
      const ConstTensor& b = input_const(i, roles[i - 1]);
      if (b.size() != 1) {
        fail(fmt::format("input {} '{}' must be a scalar", roles[i - 1], node_->input(i)));
      }
      (i == 1 ? op.lo : op.hi) = b.values[0];
    }
  }
  if (!(op.lo <= op.hi)) {
    fail(fmt::format("min = {} is above max = {}", op.lo, op.hi));
  }
  add_unary(std::move(op));
}

void Importer::leaky_relu() {
  check_attributes({"alpha"});
  UnaryOp op;
  op.fn = UnaryFn::kLeakyRelu;
  op.alpha = attr_float("alpha", 0.01f);
  add_unary(std::move(op));
}

// The slope is one value or one per channel ([C], [C, 1, 1] or [1, C, 1, 1]).
void Importer::prelu() {
  check_attributes({});
  const Value x = input_value(0);
  UnaryOp op;
  op.fn = UnaryFn::kPRelu;
  op.slope = channel_constant(1, x.shape.c);
  add_unary(std::move(op));
}

void Importer::tanh() {
  check_attributes({});
  UnaryOp op;
  op.fn = UnaryFn::kTanh;
  add_unary(std::move(op));
}

void Importer::hard_sigmoid() {
  check_attributes({"alpha", "beta"});
  UnaryOp op;
  op.fn = UnaryFn::kHardSigmoid;
  op.alpha = attr_float("alpha", 0.2f);
  op.beta = attr_float("beta", 0.5f);
  add_unary(std::move(op));
}

void Importer::hard_swish() {
  check_attributes({});
  UnaryOp op;
  op.fn = UnaryFn::kHardSwish;
  add_unary(std::move(op));
}

}  // namespace safsim::onnx_detail
