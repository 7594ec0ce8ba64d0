// ONNX -> graph IR import (torch.onnx.export, opset 13+, one NCHW image input, float weights).
// BatchNormalization is folded into the preceding Conv, a constant Add into the preceding
// Gemm/MatMul as its bias; Identity, Dropout and Constant disappear.
#pragma once

#include <string>
#include <vector>

#include "workloads/model.h"

namespace onnx {
class ModelProto;
}

namespace safsim {

/// Reads an ONNX file into the IR. Throws ModelError naming the file, the node, its op type and
/// what is supported, for an unreadable file or anything outside the supported subset.
///   Model m = import_onnx("workloads/zoo/lenet5.onnx");
///   std::vector<float> logits = run_float(m, image);
Model import_onnx(const std::string& path);

/// Imports a model already parsed (and possibly adjusted, as `safsim onnx-check` binds test
/// inputs as initializers); `path` names it in errors. Throws ModelError like import_onnx.
Model import_onnx_model(const onnx::ModelProto& proto, const std::string& path);

/// The ONNX op types the importer translates (domain ai.onnx), in the order errors list them.
std::vector<std::string> supported_onnx_ops();

/// An ONNX file when the argument ends in ".onnx" or contains a '/', else a zoo model by name:
/// "lenet5" -> zoo_dir() + "/lenet5.onnx". An unknown name lists the zoo with a did-you-mean.
///   Model m = load_model("lenet5");
Model load_model(const std::string& name_or_path);

/// The file load_model() reads for `name_or_path`: the argument itself when it ends in ".onnx"
/// or contains a '/', else zoo_dir()/<name>.onnx (which may not exist).
std::string model_file(const std::string& name_or_path);
/// Why `name_or_path` names no model: "" for a path (it ends in ".onnx" or holds a '/') or a zoo
/// model's name, else "unknown model ..." with a did-you-mean and the zoo's models. The config
/// loader asks it so the error points at the key (workload.model); load_model() throws it.
std::string unknown_model_problem(const std::string& name_or_path);

/// $SAFSIM_ZOO_DIR if set, else <source dir>/workloads/zoo.
std::string zoo_dir();

/// The zoo's model names (its *.onnx files without the extension), sorted.
std::vector<std::string> zoo_model_names();

}  // namespace safsim
