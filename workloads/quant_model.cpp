// Names and totals of the quantized model.
#include "workloads/quant_model.h"

namespace safsim {

const char* to_string(QOpKind k) {
  switch (k) {
    case QOpKind::kArray:
      return "array";
    case QOpKind::kMaxPool:
      return "max_pool";
    case QOpKind::kAvgPool:
      return "avg_pool";
    case QOpKind::kGlobalAvgPool:
      return "global_avg_pool";
    case QOpKind::kAdd:
      return "add";
    case QOpKind::kFlatten:
      return "flatten";
    case QOpKind::kUnary:
      return "activation";
    case QOpKind::kConcat:
      return "concat";
    case QOpKind::kMul:
      return "mul";
  }
  return "?";
}

const char* to_string(Activation a) {
  switch (a) {
    case Activation::kNone:
      return "none";
    case Activation::kRelu:
      return "relu";
    case Activation::kLut:
      return "lut";
    case Activation::kClip:
      return "clip";
    case Activation::kSloped:
      return "sloped";
  }
  return "?";
}

std::string activation_name(const QLayer& q) {
  switch (q.activation) {
    case Activation::kNone:
    case Activation::kRelu:
      return to_string(q.activation);
    default:
      return to_string(q.unary.fn);
  }
}

int64_t QuantModel::weight_count() const {
  int64_t n = 0;
  for (const QLayer& l : layers) {
    n += static_cast<int64_t>(l.weight_words.size());
  }
  return n;
}

int64_t QuantModel::macs_per_image() const {
  int64_t n = 0;
  for (const QLayer& l : layers) {
    n += l.macs_per_image();
  }
  return n;
}

}  // namespace safsim
