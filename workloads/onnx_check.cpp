// onnx-check: ONNX's node tests feed every operand as a graph input (a Conv's weights too), and
// give the batch a fixed size; safsim models take one runtime input with an implicit batch. So
// the model is adjusted before import: the tensors of the other inputs become initializers and
// the image input's batch becomes symbolic. Evaluating f(x, W) at the given W is exactly what
// the test checks, so this changes no expected value.
#include "workloads/onnx_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "base/errors.h"
#include "base/input_files.h"
#include "workloads/onnx_import.h"
#include "workloads/onnx_tensor.h"

namespace safsim {

bool OnnxCheckResult::ok() const {
  return std::all_of(outputs.begin(), outputs.end(),
                     [](const OnnxOutputCheck& o) { return o.ok(); });
}

namespace {

struct TensorFile {
  std::string path;
  onnx::TensorProto proto;  // as read, so that a bound tensor keeps its data type
  OnnxTensor tensor;
};

TensorFile load_tensor(const std::string& path) {
  TensorFile f;
  f.path = path;
  f.proto = read_tensor_proto(path);
  f.tensor = decode_tensor_proto(f.proto, path);
  return f;
}

std::string quoted(const std::vector<std::string>& names) {
  std::vector<std::string> q;
  for (const std::string& n : names) {
    q.push_back("'" + n + "'");
  }
  return q.empty() ? "none" : fmt::format("{}", fmt::join(q, ", "));
}

// The same checks and messages as import_onnx, which reads the file itself.
onnx::ModelProto read_model(const std::string& path) {
  const InputFile file = read_input_file(path);
  if (!file.problem.empty()) {
    throw ModelError(fmt::format("{}: cannot open ONNX model: {}", path, file.problem));
  }
  onnx::ModelProto proto;
  if (!proto.ParseFromString(file.bytes)) {
    throw ModelError(
        fmt::format("{}: not a valid ONNX model (protobuf parse of its {} bytes failed)", path,
                    file.bytes.size()));
  }
  return proto;
}

/// Graph inputs without an initializer, in graph order: the image is the first.
std::vector<std::string> runtime_inputs(const onnx::GraphProto& g) {
  std::set<std::string> inits;
  for (const onnx::TensorProto& t : g.initializer()) {
    inits.insert(t.name());
  }
  std::vector<std::string> names;
  for (const onnx::ValueInfoProto& in : g.input()) {
    if (inits.count(in.name()) == 0) {
      names.push_back(in.name());
    }
  }
  return names;
}

/// The graph input each tensor is for: its own name when it has one (it may also override an
/// initializer, as ONNX allows), else its position among the runtime inputs.
std::map<std::string, const TensorFile*> match_inputs(const onnx::GraphProto& g,
                                                      const std::vector<std::string>& runtime,
                                                      const std::vector<TensorFile>& files) {
  std::vector<std::string> all;
  for (const onnx::ValueInfoProto& in : g.input()) {
    all.push_back(in.name());
  }
  std::map<std::string, const TensorFile*> bound;
  for (size_t i = 0; i < files.size(); ++i) {
    const TensorFile& f = files[i];
    std::string name = f.tensor.name;
    if (name.empty()) {
      if (i >= runtime.size()) {
        throw DatasetError(fmt::format(
            "{}: unnamed tensor is --inputs file {}, but the model has {} runtime input(s) ({})",
            f.path, i + 1, runtime.size(), quoted(runtime)));
      }
      name = runtime[i];
    } else if (std::find(all.begin(), all.end(), name) == all.end()) {
      throw DatasetError(fmt::format("{}: tensor '{}' is not an input of the model; its inputs: {}",
                                     f.path, name, quoted(all)));
    }
    if (!bound.emplace(name, &f).second) {
      throw DatasetError(fmt::format("{}: a second tensor for input '{}' (the first is {})", f.path,
                                     name, bound.at(name)->path));
    }
  }
  return bound;
}

void bind_initializer(onnx::GraphProto* g, const std::string& name, onnx::TensorProto t) {
  auto* inits = g->mutable_initializer();
  inits->erase(std::remove_if(inits->begin(), inits->end(),
                              [&](const onnx::TensorProto& i) { return i.name() == name; }),
               inits->end());
  t.set_name(name);
  *g->add_initializer() = std::move(t);
}

// onnx-check runs one batch element at a time, so a fixed batch of any size is acceptable.
void make_batch_symbolic(onnx::GraphProto* g, const std::string& input) {
  for (onnx::ValueInfoProto& in : *g->mutable_input()) {
    auto* type = in.mutable_type();
    if (in.name() == input && type->has_tensor_type() && type->tensor_type().has_shape() &&
        type->tensor_type().shape().dim_size() > 0) {
      type->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_param("N");
    }
  }
}

/// A batch-first tensor shape holds elements of shape `s`: [N, C, H, W], or [N, C] when `s` is
/// a vector (C x 1 x 1), as the importer's rank-2 tensors are.
bool has_element_shape(const std::vector<int64_t>& d, const Shape& s) {
  return (d.size() == 4 && d[1] == s.c && d[2] == s.h && d[3] == s.w) ||
         (d.size() == 2 && s.h == 1 && s.w == 1 && d[1] == s.c);
}

std::string output_shape_mismatch(const std::vector<int64_t>& d, const Shape& s) {
  if (has_element_shape(d, s)) {
    return "";
  }
  return fmt::format(
      "the model computes {} x {} x {} (C x H x W) per batch element; the expected tensor is {}",
      s.c, s.h, s.w, format_dims(d));
}

Model import_bound(const onnx::ModelProto& proto, const std::string& path,
                   const std::vector<std::string>& bound_names) {
  try {
    return import_onnx_model(proto, path);
  } catch (const ModelError& e) {
    if (bound_names.empty()) {
      throw;
    }
    // Said because a message such as "adding a constant is only supported as a bias" would
    // otherwise puzzle a reader who passed that operand as an input.
    throw ModelError(fmt::format("{} (onnx-check passed input(s) {} as constants)", e.what(),
                                 quoted(bound_names)));
  }
}

struct BoundInputs {
  std::string image_name;  // the graph input fed per batch element
  const TensorFile* image = nullptr;
  std::vector<std::string> constants;  // graph inputs bound as initializers
};

/// Binds every tensor but the image's as an initializer and makes the image's batch symbolic.
BoundInputs bind_inputs(onnx::GraphProto* graph, const std::string& path,
                        const std::vector<TensorFile>& inputs) {
  const std::vector<std::string> runtime = runtime_inputs(*graph);
  if (runtime.empty()) {
    throw ModelError(fmt::format(
        "{}: the graph has no runtime input (every input is an initializer); onnx-check needs "
        "one to feed --inputs to",
        path));
  }
  const std::map<std::string, const TensorFile*> bound = match_inputs(*graph, runtime, inputs);
  BoundInputs b;
  b.image_name = runtime[0];
  const std::string& image_name = b.image_name;
  for (const std::string& name : runtime) {
    if (bound.count(name) == 0) {
      throw DatasetError(fmt::format(
          "no --inputs tensor for graph input '{}'; onnx-check feeds the first input ('{}') as "
          "the image and needs a tensor for every other runtime input, which it passes as a "
          "constant",
          name, image_name));
    }
  }
  for (const auto& [name, file] : bound) {
    if (name != image_name) {
      bind_initializer(graph, name, file->proto);
      b.constants.push_back(name);
    }
  }
  make_batch_symbolic(graph, image_name);
  b.image = bound.at(image_name);
  return b;
}

/// The image's batch, after checking that its shape fits the model's input.
int64_t image_batch(const TensorFile& image, const std::string& name, const Shape& s) {
  const std::vector<int64_t>& d = image.tensor.dims;
  if (!has_element_shape(d, s)) {
    throw DatasetError(
        fmt::format("{}: tensor '{}' has shape {}; the model's input '{}' takes [N, {}, {}, {}]{}",
                    image.path, name, format_dims(d), name, s.c, s.h, s.w,
                    s.h == 1 && s.w == 1 ? fmt::format(" or [N, {}]", s.c) : ""));
  }
  if (d[0] < 1) {
    throw DatasetError(fmt::format("{}: tensor '{}' has shape {}: an empty batch", image.path, name,
                                   format_dims(d)));
  }
  return d[0];
}

/// One check per graph output, after checking the expected tensors' names and batch.
std::vector<OnnxOutputCheck> output_checks(const onnx::GraphProto& graph,
                                           const std::vector<TensorFile>& expects, int64_t batch,
                                           const Shape& out_shape) {
  if (expects.size() != static_cast<size_t>(graph.output_size())) {
    throw UserError(fmt::format("--expect gives {} tensor(s), the model has {} output(s)",
                                expects.size(), graph.output_size()));
  }
  std::vector<OnnxOutputCheck> checks;
  for (int k = 0; k < graph.output_size(); ++k) {
    const TensorFile& e = expects[size_t(k)];
    const std::string& name = graph.output(k).name();
    if (!e.tensor.name.empty() && e.tensor.name != name) {
      throw DatasetError(fmt::format("{}: tensor '{}' is not the model's output '{}'", e.path,
                                     e.tensor.name, name));
    }
    if (e.tensor.dims.empty() || e.tensor.dims[0] != batch) {
      throw DatasetError(fmt::format(
          "{}: tensor '{}' has shape {}; its first dimension must be the batch of the input, {}",
          e.path, name, format_dims(e.tensor.dims), batch));
    }
    OnnxOutputCheck check;
    check.name = name;
    check.dims = e.tensor.dims;
    check.shape_mismatch = output_shape_mismatch(e.tensor.dims, out_shape);
    checks.push_back(std::move(check));
  }
  return checks;
}

std::vector<TensorFile> load_tensors(const std::vector<std::string>& paths) {
  std::vector<TensorFile> files;
  for (const std::string& p : paths) {
    files.push_back(load_tensor(p));
  }
  return files;
}

}  // namespace

OnnxCheckResult run_onnx_check(const OnnxCheckRequest& request) {
  onnx::ModelProto proto = read_model(request.model_path);
  const std::vector<TensorFile> inputs = load_tensors(request.input_paths);
  const std::vector<TensorFile> expects = load_tensors(request.expect_paths);
  const BoundInputs bound = bind_inputs(proto.mutable_graph(), request.model_path, inputs);
  OnnxCheckResult result;
  result.bound_inputs = bound.constants;
  const Model model = import_bound(proto, request.model_path, bound.constants);
  const TensorFile& image = *bound.image;
  result.batch = image_batch(image, bound.image_name, model.input_shape);
  const Shape& out_shape = model.output().out_shape;
  result.outputs = output_checks(proto.graph(), expects, result.batch, out_shape);

  // The importer takes one graph output, so there is one check.
  OnnxOutputCheck& out = result.outputs.front();
  if (!out.shape_mismatch.empty()) {
    return result;
  }
  const int64_t in_size = model.input_shape.size();
  const int64_t out_size = out_shape.size();
  const std::vector<float>& want = expects.front().tensor.values;
  for (int64_t n = 0; n < result.batch; ++n) {
    const auto first = image.tensor.values.begin() + n * in_size;
    const std::vector<float> x(first, first + in_size);
    const std::vector<float> y = run_float(model, x);
    compare_into(y.data(), want.data() + n * out_size, out_size, n * out_size, request.tolerance,
                 &out.stats);
  }
  return result;
}

}  // namespace safsim
