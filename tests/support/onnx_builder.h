// Test helpers: builds small ONNX models in memory with the protobuf API and writes them to a
// temporary directory, so importer tests need no Python or checked-in binaries. TempDir and
// ScopedEnv are shared with the dataset tests.
#pragma once

#include <onnx/onnx_pb.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace safsim::test {

/// A fresh directory under $TMPDIR (or /tmp), deleted with its contents when destroyed.
///   TempDir dir;
///   std::string path = dir.file("model.onnx");
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "safsim_test_XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed for " + tmpl);
    }
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

/// Sets (or with nullptr unsets) an environment variable, restoring the old value on destruction.
///   ScopedEnv zoo("SAFSIM_ZOO_DIR", dir.path().c_str());
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    const char* old = getenv(name);
    had_old_ = old != nullptr;
    old_ = had_old_ ? old : "";
    if (value != nullptr) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (had_old_) {
      setenv(name_.c_str(), old_.c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::string old_;
  bool had_old_ = false;
};

/// Fluent attribute setters on one node of an OnnxBuilder graph.
class OnnxNode {
 public:
  explicit OnnxNode(onnx::NodeProto* n) : n_(n) {}
  OnnxNode& i(const std::string& name, int64_t v) {
    add(name, onnx::AttributeProto::INT)->set_i(v);
    return *this;
  }
  OnnxNode& f(const std::string& name, float v) {
    add(name, onnx::AttributeProto::FLOAT)->set_f(v);
    return *this;
  }
  OnnxNode& s(const std::string& name, const std::string& v) {
    add(name, onnx::AttributeProto::STRING)->set_s(v);
    return *this;
  }
  OnnxNode& ints(const std::string& name, const std::vector<int64_t>& v) {
    auto* a = add(name, onnx::AttributeProto::INTS);
    for (int64_t x : v) {
      a->add_ints(x);
    }
    return *this;
  }
  /// A tensor attribute (Constant's `value`) with int64 contents in int64_data.
  OnnxNode& tensor_i64(const std::string& name, const std::vector<int64_t>& dims,
                       const std::vector<int64_t>& v) {
    auto* t = add(name, onnx::AttributeProto::TENSOR)->mutable_t();
    t->set_data_type(onnx::TensorProto::INT64);
    for (int64_t d : dims) {
      t->add_dims(d);
    }
    for (int64_t x : v) {
      t->add_int64_data(x);
    }
    return *this;
  }
  onnx::NodeProto& proto() { return *n_; }

 private:
  onnx::AttributeProto* add(const std::string& name, onnx::AttributeProto::AttributeType type) {
    auto* a = n_->add_attribute();
    a->set_name(name);
    a->set_type(type);
    return a;
  }
  onnx::NodeProto* n_;
};

/// A one-input ONNX model (IR 8, opset 13), as torch.onnx.export writes them. A negative input
/// dimension becomes the symbolic batch "N".
///   OnnxBuilder b({-1, 1, 4, 4});
///   b.init("w", {2, 1, 3, 3}, weights);
///   b.node("Conv", {"x", "w"}, {"y"}).ints("pads", {1, 1, 1, 1});
///   b.output("y");
///   Model m = import_onnx(b.write(dir.file("conv.onnx")));
class OnnxBuilder {
 public:
  explicit OnnxBuilder(const std::vector<int64_t>& input_dims, const std::string& input = "x") {
    model_.set_ir_version(8);
    model_.set_producer_name("safsim-tests");
    auto* opset = model_.add_opset_import();
    opset->set_domain("");
    opset->set_version(13);
    model_.mutable_graph()->set_name("test");
    add_input(input, input_dims);
  }

  /// Another graph input (models have one; tests of the error path add a second).
  void add_input(const std::string& name, const std::vector<int64_t>& dims) {
    set_value_info(graph()->add_input(), name, dims);
  }

  /// A graph output; the shape is informational (the importer infers its own).
  void output(const std::string& name, const std::vector<int64_t>& dims = {}) {
    set_value_info(graph()->add_output(), name, dims);
  }

  /// A float initializer stored in raw_data, as PyTorch writes weights.
  void init(const std::string& name, const std::vector<int64_t>& dims,
            const std::vector<float>& v) {
    auto* t = new_initializer(name, dims, onnx::TensorProto::FLOAT);
    t->set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
  }

  /// An int64 initializer (e.g. a Reshape shape) stored in int64_data.
  void init_i64(const std::string& name, const std::vector<int64_t>& dims,
                const std::vector<int64_t>& v) {
    auto* t = new_initializer(name, dims, onnx::TensorProto::INT64);
    for (int64_t x : v) {
      t->add_int64_data(x);
    }
  }

  OnnxNode node(const std::string& op, const std::vector<std::string>& inputs,
                const std::vector<std::string>& outputs, const std::string& name = "") {
    auto* n = graph()->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& in : inputs) {
      n->add_input(in);
    }
    for (const auto& out : outputs) {
      n->add_output(out);
    }
    return OnnxNode(n);
  }

  onnx::ModelProto& proto() { return model_; }

  /// Serializes the model to `path` and returns the path.
  std::string write(const std::string& path) const {
    std::ofstream f(path, std::ios::binary);
    if (!model_.SerializeToOstream(&f)) {
      throw std::runtime_error("cannot write " + path);
    }
    return path;
  }

 private:
  onnx::GraphProto* graph() { return model_.mutable_graph(); }

  static void set_value_info(onnx::ValueInfoProto* vi, const std::string& name,
                             const std::vector<int64_t>& dims) {
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    auto* shape = tt->mutable_shape();
    for (int64_t d : dims) {
      auto* dim = shape->add_dim();
      if (d < 0) {
        dim->set_dim_param("N");
      } else {
        dim->set_dim_value(d);
      }
    }
  }

  onnx::TensorProto* new_initializer(const std::string& name, const std::vector<int64_t>& dims,
                                     onnx::TensorProto::DataType type) {
    auto* t = graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    for (int64_t d : dims) {
      t->add_dims(d);
    }
    return t;
  }

  onnx::ModelProto model_;
};

}  // namespace safsim::test
