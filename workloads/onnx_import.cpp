// ONNX import entry points and graph walk: file parsing, initializers, the image input, node
// dispatch with every problem collected, dead-layer pruning, and the model zoo lookup. Node
// helpers are in onnx_import_state.cpp, constant folding in onnx_fold.cpp, per-op rules in
// onnx_ops*.cpp.
#include "workloads/onnx_import.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

#include "base/did_you_mean.h"
#include "base/errors.h"
#include "base/input_files.h"
#include "workloads/onnx_import_state.h"
#include "workloads/onnx_tensor.h"

namespace safsim {

namespace onnx_detail {

namespace {

// Raw tensor bytes are little-endian, like every host this simulator targets.
template <class T>
bool from_raw(const std::string& raw, std::vector<T>* out) {
  if (raw.size() % sizeof(T) != 0) {
    return false;
  }
  out->resize(raw.size() / sizeof(T));
  std::memcpy(out->data(), raw.data(), raw.size());
  return true;
}

template <class T, class Field>
std::vector<T> from_field(const Field& f) {
  return std::vector<T>(f.begin(), f.end());
}

}  // namespace

Importer::Importer(std::string path, const onnx::GraphProto& graph)
    : path_(std::move(path)), graph_(graph) {}

Model Importer::run() {
  model_.name = std::filesystem::path(path_).stem().string();
  read_initializers();
  read_input();
  count_consumers();
  check_op_types();
  for (int i = 0; i < graph_.node_size(); ++i) {
    import_node(i);
  }
  node_ = nullptr;
  if (!problems_.empty()) {
    report_problems();
  }
  finish_output();
  return std::move(model_);
}

bool Importer::known_op(const onnx::NodeProto& n) {
  const bool standard_domain = n.domain().empty() || n.domain() == "ai.onnx";
  const std::vector<OpEntry>& table = op_table();
  return standard_domain && std::any_of(table.begin(), table.end(),
                                        [&](const OpEntry& e) { return n.op_type() == e.op; });
}

// Unknown op types are all found before anything is imported, so that one error lists them all
// (the walk cannot check the nodes behind a failed one: their inputs do not exist).
void Importer::check_op_types() {
  for (int i = 0; i < graph_.node_size(); ++i) {
    const onnx::NodeProto& n = graph_.node(i);
    if (!known_op(n)) {
      const bool standard_domain = n.domain().empty() || n.domain() == "ai.onnx";
      problems_.push_back(
          {n.op_type(), n.name().empty() ? fmt::format("{}_{}", n.op_type(), i) : n.name(),
           standard_domain ? "the op is not supported"
                           : fmt::format("domain '{}' is not supported", n.domain())});
    }
  }
}

// One error for the whole model: each distinct problem once, with how many nodes have it and the
// first of them, so that a user sees at once everything standing between the model and safsim.
void Importer::report_problems() const {
  struct Group {
    const ImportProblem* first;
    int count;
  };
  std::vector<Group> groups;
  for (const ImportProblem& p : problems_) {
    const auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
      return g.first->op == p.op && g.first->what == p.what;
    });
    if (it == groups.end()) {
      groups.push_back({&p, 1});
    } else {
      ++it->count;
    }
  }
  std::vector<std::string> ops;
  for (const OpEntry& e : op_table()) {
    ops.push_back(e.op);
  }
  const std::string hint = fmt::format(
      "supported ops: {}; docs/models.md says how to export a model for safsim and what to do "
      "when an op is missing",
      fmt::join(ops, ", "));
  if (problems_.size() == 1) {
    const ImportProblem& p = problems_[0];
    throw ModelError(fmt::format("{}: node '{}' (op {}): {}{}", path_, p.node, p.op, p.what,
                                 p.what == "the op is not supported" ? "; " + hint : ""));
  }
  std::string text = fmt::format(
      "{}: {} node{} cannot be imported ({} distinct problem{}; the nodes that read a failed "
      "node's output are not checked):",
      path_, problems_.size(), problems_.size() == 1 ? "" : "s", groups.size(),
      groups.size() == 1 ? "" : "s");
  constexpr size_t kShown = 25;
  for (size_t i = 0; i < std::min(groups.size(), kShown); ++i) {
    const Group& g = groups[i];
    text += fmt::format("\n  op {}: {} node{}, first '{}': {}", g.first->op, g.count,
                        g.count == 1 ? "" : "s", g.first->node, g.first->what);
  }
  if (groups.size() > kShown) {
    text += fmt::format("\n  ... and {} more", groups.size() - kShown);
  }
  throw ModelError(text + "\n" + hint);
}

ConstTensor Importer::decode(const onnx::TensorProto& t) const {
  ConstTensor c;
  c.dims.assign(t.dims().begin(), t.dims().end());
  int64_t expected = 1;
  for (int64_t d : c.dims) {
    // Bounded so that a corrupt file cannot overflow the element count.
    if (d < 0 || d > kMaxDim || expected * d > kMaxElements) {
      fail(fmt::format("tensor '{}' has an implausible shape [{}]", t.name(),
                       fmt::join(c.dims, ", ")));
    }
    if (d == 0 &&
        (t.data_type() == onnx::TensorProto::FLOAT || t.data_type() == onnx::TensorProto::DOUBLE)) {
      fail(
          fmt::format("tensor '{}' has a zero-sized dimension [{}]; a layer needs at least one "
                      "weight per output",
                      t.name(), fmt::join(c.dims, ", ")));
    }
    expected *= d;
  }
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    fail(
        fmt::format("tensor '{}' keeps its data in an external file; export with the weights "
                    "inside the .onnx file",
                    t.name()));
  }
  const std::string& raw = t.raw_data();
  bool ok = true;
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      ok = raw.empty() ? (c.values = from_field<float>(t.float_data()), true)
                       : from_raw(raw, &c.values);
      break;
    case onnx::TensorProto::DOUBLE: {
      std::vector<double> d = from_field<double>(t.double_data());
      ok = raw.empty() || from_raw(raw, &d);
      c.values.assign(d.begin(), d.end());
      break;
    }
    case onnx::TensorProto::INT64:
      ok = raw.empty() ? (c.ints = from_field<int64_t>(t.int64_data()), true)
                       : from_raw(raw, &c.ints);
      break;
    case onnx::TensorProto::INT32: {
      std::vector<int32_t> i = from_field<int32_t>(t.int32_data());
      ok = raw.empty() || from_raw(raw, &i);
      c.ints.assign(i.begin(), i.end());
      break;
    }
    default:
      fail(fmt::format("tensor '{}' has data type {}; supported: FLOAT, DOUBLE, INT32, INT64",
                       t.name(), data_type_name(t.data_type())));
  }
  if (!c.ints.empty()) {
    c.values.assign(c.ints.begin(), c.ints.end());
  }
  if (!ok) {
    fail(fmt::format("tensor '{}' has {} bytes of raw_data, not a whole number of {} values",
                     t.name(), raw.size(), data_type_name(t.data_type())));
  }
  if (c.size() != expected) {
    fail(fmt::format("tensor '{}' holds {} values but its shape [{}] needs {}", t.name(), c.size(),
                     fmt::join(c.dims, ", "), expected));
  }
  for (size_t i = 0; i < c.values.size(); ++i) {
    if (!std::isfinite(c.values[i])) {
      fail(fmt::format("tensor '{}' holds {} at element {}; weights and biases must be finite",
                       t.name(), c.values[i], i));
    }
  }
  return c;
}

void Importer::read_initializers() {
  if (graph_.sparse_initializer_size() > 0) {
    fail("sparse initializers are not supported");
  }
  for (const onnx::TensorProto& t : graph_.initializer()) {
    consts_[t.name()] = decode(t);
  }
}

// Exporters with keep_initializers_as_inputs list the weights as graph inputs too; only the
// remaining input is the image.
void Importer::read_input() {
  std::vector<const onnx::ValueInfoProto*> inputs;
  for (const onnx::ValueInfoProto& in : graph_.input()) {
    if (consts_.count(in.name()) == 0) {
      inputs.push_back(&in);
    }
  }
  if (inputs.size() != 1) {
    std::vector<std::string> names;
    for (const auto* in : inputs) {
      names.push_back("'" + in->name() + "'");
    }
    fail(fmt::format("the graph has {} inputs ({}); exactly one image input is supported",
                     inputs.size(), fmt::join(names, ", ")));
  }
  const onnx::ValueInfoProto& in = *inputs[0];
  const onnx::TypeProto& type = in.type();
  if (!type.has_tensor_type() || !type.tensor_type().has_shape() ||
      type.tensor_type().elem_type() != onnx::TensorProto::FLOAT) {
    fail(fmt::format("graph input '{}' must be a float tensor with a known shape", in.name()));
  }
  const auto& dims = type.tensor_type().shape().dim();
  std::vector<std::string> shown;
  bool ok = dims.size() == 4 || dims.size() == 2;
  for (int i = 0; i < dims.size(); ++i) {
    const auto& d = dims[i];
    shown.push_back(d.has_dim_value() ? std::to_string(d.dim_value()) : d.dim_param());
    // The batch may be symbolic or 1; channels and image size must be fixed.
    ok = ok && (i == 0 ? !d.has_dim_value() || d.dim_value() == 1
                       : d.has_dim_value() && d.dim_value() > 0 && d.dim_value() <= kMaxDim);
  }
  if (!ok) {
    fail(
        fmt::format("graph input '{}' has shape [{}]; supported: [N, C, H, W] or [N, C] with a "
                    "dynamic or unit batch N and fixed C, H, W",
                    in.name(), fmt::join(shown, ", ")));
  }
  Value v;
  v.rank = dims.size();
  v.shape.c = static_cast<int>(dims[1].dim_value());
  v.shape.h = v.rank == 4 ? static_cast<int>(dims[2].dim_value()) : 1;
  v.shape.w = v.rank == 4 ? static_cast<int>(dims[3].dim_value()) : 1;
  if (v.shape.size() > kMaxElements) {
    fail(fmt::format("graph input '{}' has {} values per image; at most {} are supported",
                     in.name(), v.shape.size(), kMaxElements));
  }
  values_[in.name()] = v;
  model_.input_shape = v.shape;
}

void Importer::count_consumers() {
  for (const onnx::NodeProto& n : graph_.node()) {
    for (const std::string& in : n.input()) {
      if (!in.empty()) {
        ++consumers_[in];
      }
    }
  }
  for (const onnx::ValueInfoProto& out : graph_.output()) {
    ++consumers_[out.name()];
  }
}

void Importer::import_node(int index) {
  node_ = &graph_.node(index);
  node_name_ =
      node_->name().empty() ? fmt::format("{}_{}", node_->op_type(), index) : node_->name();
  const auto poison_outputs = [&] {
    for (const std::string& out : node_->output()) {
      poisoned_[out] = true;
    }
  };
  // A node downstream of one that failed reports nothing: its inputs do not exist.
  for (const std::string& in : node_->input()) {
    if (poisoned_.count(in) > 0) {
      poison_outputs();
      return;
    }
  }
  if (!known_op(*node_)) {
    poison_outputs();  // reported by check_op_types()
    return;
  }
  const std::vector<OpEntry>& table = op_table();
  const auto entry = std::find_if(table.begin(), table.end(),
                                  [&](const OpEntry& e) { return node_->op_type() == e.op; });
  try {
    if (fold_constant_node()) {
      return;
    }
    if (node_->output_size() == 0 || node_->output(0).empty()) {
      fail("the node has no output");
    }
    (this->*(entry->handler))();
  } catch (const ModelError& e) {
    // fail() formats "<path>: node '<name>' (op <op>): <what>"; keep <what>.
    const std::string prefix =
        fmt::format("{}: node '{}' (op {}): ", path_, node_name_, node_->op_type());
    std::string what = e.what();
    if (what.compare(0, prefix.size(), prefix) == 0) {
      what = what.substr(prefix.size());
    }
    problems_.push_back({node_->op_type(), node_name_, what});
    poison_outputs();
  }
}

// The IR's last layer is the output, so layers that do not feed the graph output are dropped
// (and the indices of the others renumbered).
void Importer::finish_output() {
  if (graph_.output_size() != 1) {
    fail(fmt::format("the graph has {} outputs; exactly one (the logits) is supported",
                     graph_.output_size()));
  }
  std::string name = graph_.output(0).name();
  // A Softmax at the output does not change the top-1 class: the model's logits are its input.
  while (softmax_of_.count(name) > 0) {
    name = softmax_of_.at(name);
  }
  const auto it = values_.find(name);
  if (it == values_.end()) {
    fail(fmt::format("graph output '{}' is not computed by any node", name));
  }
  if (it->second.pending()) {
    fail(
        fmt::format("graph output '{}' ends in a constant scale, shift, Pad or reshape that no "
                    "layer follows; safsim folds those into the next Conv or Gemm",
                    name));
  }
  if (it->second.layer < 0) {
    fail(fmt::format("graph output '{}' is the model input: the model has no layers", name));
  }
  const int out = it->second.layer;
  std::vector<bool> live(out + 1, false);
  live[out] = true;
  for (int i = out; i >= 0; --i) {
    for (int src : model_.layers[i].inputs) {
      if (live[i] && src >= 0) {
        live[src] = true;
      }
    }
  }
  std::vector<int> renumber(out + 1, -1);
  std::vector<Layer> kept;
  for (int i = 0; i <= out; ++i) {
    if (live[i]) {
      renumber[i] = static_cast<int>(kept.size());
      kept.push_back(std::move(model_.layers[i]));
      for (int& src : kept.back().inputs) {
        src = src < 0 ? src : renumber[src];
      }
    }
  }
  model_.layers = std::move(kept);
}

std::vector<std::string> Importer::op_names() {
  std::vector<std::string> ops;
  for (const OpEntry& e : op_table()) {
    ops.push_back(e.op);
  }
  return ops;
}

}  // namespace onnx_detail

std::vector<std::string> supported_onnx_ops() { return onnx_detail::Importer::op_names(); }

Model import_onnx(const std::string& path) {
  const InputFile file = read_input_file(path);
  if (file.problem == "is a directory") {
    throw ModelError(fmt::format("{}: is a directory, expected an ONNX model file", path));
  }
  if (!file.problem.empty()) {
    throw ModelError(fmt::format("{}: cannot open ONNX model: {}", path, file.problem));
  }
  const std::string& bytes = file.bytes;
  onnx::ModelProto proto;
  if (!proto.ParseFromString(bytes)) {
    throw ModelError(fmt::format(
        "{}: not a valid ONNX model (protobuf parse of its {} bytes failed)", path, bytes.size()));
  }
  return import_onnx_model(proto, path);
}

Model import_onnx_model(const onnx::ModelProto& proto, const std::string& path) {
  // Arbitrary bytes sometimes parse as a protobuf with unknown fields; a real model has nodes.
  if (!proto.has_graph() || proto.graph().node_size() == 0) {
    throw ModelError(fmt::format("{}: not a valid ONNX model (no graph nodes)", path));
  }
  return onnx_detail::Importer(path, proto.graph()).run();
}

std::string zoo_dir() {
  const char* env = std::getenv("SAFSIM_ZOO_DIR");
  return env != nullptr && *env != '\0' ? env : SAFSIM_SOURCE_DIR "/workloads/zoo";
}

std::vector<std::string> zoo_model_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(zoo_dir(), ec)) {
    if (e.path().extension() == ".onnx") {
      names.push_back(e.path().stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string model_file(const std::string& name_or_path) {
  const std::string ext = ".onnx";
  const bool is_path =
      name_or_path.find('/') != std::string::npos ||
      (name_or_path.size() >= ext.size() &&
       name_or_path.compare(name_or_path.size() - ext.size(), ext.size(), ext) == 0);
  return is_path ? name_or_path
                 : (std::filesystem::path(zoo_dir()) / (name_or_path + ext)).string();
}

std::string unknown_model_problem(const std::string& name_or_path) {
  const std::string path = model_file(name_or_path);
  if (path == name_or_path || std::filesystem::is_regular_file(path)) {
    return "";
  }
  const std::vector<std::string> names = zoo_model_names();
  const std::string guess = did_you_mean(name_or_path, names);
  return fmt::format(
      "unknown model '{}'{}; available zoo models (in {}): {}; or give a path to an .onnx file",
      name_or_path, guess.empty() ? "" : fmt::format(" (did you mean '{}'?)", guess), zoo_dir(),
      names.empty() ? "(none)" : fmt::format("{}", fmt::join(names, ", ")));
}

Model load_model(const std::string& name_or_path) {
  const std::string problem = unknown_model_problem(name_or_path);
  if (!problem.empty()) {
    throw ModelError(problem);
  }
  return import_onnx(model_file(name_or_path));
}

}  // namespace safsim
