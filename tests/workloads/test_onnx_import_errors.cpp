// Every ONNX import error names the file, the node and op, and what is supported; the zoo lookup
// suggests the closest name. Also the did_you_mean helper behind those suggestions.
#include <catch2/catch.hpp>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "base/did_you_mean.h"
#include "base/errors.h"
#include "tests/support/onnx_builder.h"
#include "workloads/onnx_import.h"

namespace safsim {
namespace {

using Catch::Contains;
using test::OnnxBuilder;
using test::ScopedEnv;
using test::TempDir;

/// The message of the ModelError that `f` throws (failing the test on anything else).
template <class F>
std::string model_error(F&& f) {
  try {
    f();
  } catch (const ModelError& e) {
    return e.what();
  }
  FAIL("no ModelError thrown");
  return "";
}

/// Imports the model after writing it as <dir>/<name>; returns the error message.
std::string import_error(const OnnxBuilder& b, const TempDir& dir, const std::string& name) {
  const std::string path = b.write(dir.file(name));
  return model_error([&] { import_onnx(path); });
}

TEST_CASE("An unsupported op names the file, node, op and the supported ops", "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 1, 4, 4});
  b.node("LeakyRelu", {"x"}, {"y"}, "Conv_3").f("alpha", 0.1f);
  b.output("y");
  const std::string msg = import_error(b, dir, "lenet.onnx");
  CHECK_THAT(msg, Contains(dir.file("lenet.onnx") +
                           ": node 'Conv_3' (op LeakyRelu) is not "
                           "supported; supported ops: Conv, Gemm, MatMul, Add, Relu, Sigmoid, "
                           "MaxPool, AveragePool, GlobalAveragePool, Flatten, Reshape, "
                           "BatchNormalization, Constant, Identity, Dropout"));
}

TEST_CASE("An unnamed unsupported node gets the name <op>_<index>", "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 4});
  b.node("Relu", {"x"}, {"r"});
  b.node("Softmax", {"r"}, {"y"});
  b.output("y");
  CHECK_THAT(import_error(b, dir, "m.onnx"), Contains("node 'Softmax_1' (op Softmax)"));
}

TEST_CASE("A missing initializer names the tensor and the node", "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 1, 4, 4});
  b.node("Conv", {"x", "conv1.weight"}, {"y"}, "conv1");
  b.output("y");
  CHECK_THAT(import_error(b, dir, "m.onnx"),
             Contains("node 'conv1' (op Conv): initializer 'conv1.weight' for input W not found"));
}

TEST_CASE("A malformed, empty or missing file is a clear ModelError", "[onnx]") {
  TempDir dir;
  SECTION("random bytes") {
    const std::string path = dir.file("noise.onnx");
    std::mt19937 rng(7);
    std::ofstream f(path, std::ios::binary);
    for (int i = 0; i < 4096; ++i) {
      f.put(static_cast<char>(rng() & 0xff));
    }
    f.close();
    const std::string msg = model_error([&] { import_onnx(path); });
    CHECK_THAT(msg, Contains(path + ": not a valid ONNX model"));
  }
  SECTION("empty file") {
    const std::string path = dir.file("empty.onnx");
    std::ofstream(path).close();
    CHECK_THAT(model_error([&] { import_onnx(path); }),
               Contains(path + ": not a valid ONNX model (no graph nodes)"));
  }
  SECTION("nonexistent file") {
    const std::string path = dir.file("nope.onnx");
    CHECK_THAT(model_error([&] { import_onnx(path); }),
               Contains(path + ": cannot open ONNX model: No such file or directory"));
  }
  SECTION("a directory") {
    CHECK_THAT(model_error([&] { import_onnx(dir.path()); }), Contains("is a directory"));
  }
}

TEST_CASE("Unsupported attribute values name the attribute", "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 1, 4, 4});
  b.init("w", {1, 1, 1, 1}, {1.0f});
  std::string expected;
  SECTION("Gemm alpha") {
    b.node("Flatten", {"x"}, {"f"});
    b.init("B", {16, 2}, std::vector<float>(32, 1.0f));
    b.node("Gemm", {"f", "B"}, {"y"}, "fc").f("alpha", 0.5f);
    expected = "node 'fc' (op Gemm): attribute alpha = 0.5 is not supported; only alpha = 1";
  }
  SECTION("Gemm transA") {
    b.node("Flatten", {"x"}, {"f"});
    b.init("B", {16, 2}, std::vector<float>(32, 1.0f));
    b.node("Gemm", {"f", "B"}, {"y"}, "fc").i("transA", 1);
    expected = "attribute transA = 1 is not supported";
  }
  SECTION("Conv group") {
    b.node("Conv", {"x", "w"}, {"y"}, "c").i("group", 2);
    expected = "node 'c' (op Conv): attribute group = 2 is not supported; only group = 1";
  }
  SECTION("Conv auto_pad") {
    b.node("Conv", {"x", "w"}, {"y"}, "c").s("auto_pad", "SAME_UPPER");
    expected = "attribute auto_pad = SAME_UPPER is not supported; only NOTSET";
  }
  SECTION("Conv dilations") {
    b.node("Conv", {"x", "w"}, {"y"}, "c").ints("dilations", {2, 2});
    expected = "attribute dilations = [2, 2] is not supported";
  }
  SECTION("MaxPool ceil_mode") {
    b.node("MaxPool", {"x"}, {"y"}, "p").ints("kernel_shape", {2, 2}).i("ceil_mode", 1);
    expected = "node 'p' (op MaxPool): attribute ceil_mode = 1 is not supported";
  }
  SECTION("an unknown attribute") {
    b.node("Relu", {"x"}, {"y"}, "r").i("inplace", 1);
    expected = "node 'r' (op Relu): attribute 'inplace' is not supported";
  }
  SECTION("Flatten axis") {
    b.node("Flatten", {"x"}, {"y"}, "f").i("axis", 2);
    expected = "attribute axis = 2 is not supported";
  }
  SECTION("a non-flattening Reshape") {
    b.init_i64("s", {3}, {1, 4, 4});
    b.node("Reshape", {"x", "s"}, {"y"}, "r");
    expected = "node 'r' (op Reshape): reshape of a 1x4x4 tensor to [1, 4, 4] is not supported";
  }
  b.output("y");
  CHECK_THAT(import_error(b, dir, "m.onnx"), Contains(expected));
}

TEST_CASE("BatchNormalization must follow a Conv whose output nothing else reads", "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 1, 2, 2});
  for (const char* p : {"gamma", "beta", "mean", "var"}) {
    b.init(p, {1}, {1.0f});
  }
  std::string expected;
  SECTION("after the model input") {
    b.node("BatchNormalization", {"x", "gamma", "beta", "mean", "var"}, {"y"}, "bn");
    expected = "comes from the model input";
  }
  SECTION("after a Relu") {
    b.node("Relu", {"x"}, {"r"}, "relu");
    b.node("BatchNormalization", {"r", "gamma", "beta", "mean", "var"}, {"y"}, "bn");
    expected = "comes from node 'relu' (op Relu)";
  }
  SECTION("after a Conv whose output is also used elsewhere") {
    b.init("w", {1, 1, 1, 1}, {1.0f});
    b.node("Conv", {"x", "w"}, {"c"}, "conv");
    b.node("BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, {"n"}, "bn");
    b.node("Add", {"n", "c"}, {"y"});
    expected = "nothing else reads";
  }
  b.output("y");
  const std::string msg = import_error(b, dir, "m.onnx");
  CHECK_THAT(msg, Contains("node 'bn' (op BatchNormalization): BatchNormalization is folded"));
  CHECK_THAT(msg, Contains("must directly follow a Conv"));
  CHECK_THAT(msg, Contains(expected));
}

TEST_CASE("Graph-level errors: inputs, outputs, shapes and constants", "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 1, 4, 4});
  std::string expected;
  SECTION("two inputs") {
    b.add_input("x2", {-1, 1, 4, 4});
    b.node("Add", {"x", "x2"}, {"y"});
    b.output("y");
    expected = ": the graph has 2 inputs ('x', 'x2'); exactly one image input is supported";
  }
  SECTION("two outputs") {
    b.node("Relu", {"x"}, {"y"});
    b.node("Sigmoid", {"x"}, {"z"});
    b.output("y");
    b.output("z");
    expected = ": the graph has 2 outputs; exactly one (the logits) is supported";
  }
  SECTION("an Add of different shapes") {
    b.node("GlobalAveragePool", {"x"}, {"g"});
    b.node("Add", {"x", "g"}, {"y"}, "add");
    b.output("y");
    expected = "node 'add' (op Add): input shapes differ: 'x' is 1x4x4, 'g' is 1x1x1";
  }
  SECTION("an Add of a constant that is not a bias") {
    b.init("k", {1}, {1.0f});
    b.node("Relu", {"x"}, {"r"});
    b.node("Add", {"r", "k"}, {"y"}, "add");
    b.output("y");
    expected = "adding a constant is only supported as the bias of the Gemm/MatMul right before";
  }
  SECTION("a Gemm on an unflattened input") {
    b.init("B", {16, 2}, std::vector<float>(32, 1.0f));
    b.node("Gemm", {"x", "B"}, {"y"}, "fc");
    b.output("y");
    expected = "node 'fc' (op Gemm): input 'x' is 1x4x4; Gemm needs a flattened input";
  }
  SECTION("a weight of the wrong size") {
    b.node("Flatten", {"x"}, {"f"});
    b.init("B", {15, 2}, std::vector<float>(30, 1.0f));
    b.node("Gemm", {"f", "B"}, {"y"}, "fc");
    b.output("y");
    expected = "weight 'B' expects 15 input features, but the input has 16";
  }
  SECTION("an output that is the input") {
    b.node("Identity", {"x"}, {"y"});
    b.output("y");
    expected = "graph output 'y' is the model input";
  }
  SECTION("a fixed batch larger than 1") {
    b.proto()
        .mutable_graph()
        ->mutable_input(0)
        ->mutable_type()
        ->mutable_tensor_type()
        ->mutable_shape()
        ->mutable_dim(0)
        ->set_dim_value(8);
    b.node("Relu", {"x"}, {"y"});
    b.output("y");
    expected = "graph input 'x' has shape [8, 1, 4, 4]";
  }
  CHECK_THAT(import_error(b, dir, "m.onnx"), Contains(expected));
}

TEST_CASE("load_model finds zoo names and suggests the closest for a typo", "[onnx]") {
  TempDir zoo;
  OnnxBuilder b({-1, 4});
  b.node("Relu", {"x"}, {"y"});
  b.output("y");
  b.write(zoo.file("lenet5.onnx"));
  b.write(zoo.file("resnet20.onnx"));
  ScopedEnv env("SAFSIM_ZOO_DIR", zoo.path().c_str());

  CHECK(zoo_dir() == zoo.path());
  CHECK(zoo_model_names() == std::vector<std::string>{"lenet5", "resnet20"});
  CHECK(load_model("lenet5").name == "lenet5");
  CHECK(load_model(zoo.file("resnet20.onnx")).layers.size() == 1);  // a path, not a name
  const std::string msg = model_error([] { load_model("lenet"); });
  CHECK_THAT(msg,
             Contains("unknown model 'lenet' (did you mean 'lenet5'?); available zoo models (in " +
                      zoo.path() + "): lenet5, resnet20"));
  CHECK_THAT(model_error([] { load_model("vgg16"); }),
             !Contains("did you mean") && Contains("lenet5, resnet20"));
  CHECK_THAT(model_error([] { load_model("missing.onnx"); }),
             Contains("missing.onnx: cannot open"));
}

TEST_CASE("did_you_mean returns the closest candidate within max(2, len/3) edits", "[onnx]") {
  const std::vector<std::string> names = {"lenet5", "lenet5_sigmoid", "resnet20", "cnn002"};
  CHECK(did_you_mean("lenet", names) == "lenet5");
  CHECK(did_you_mean("resnet", names) == "resnet20");
  CHECK(did_you_mean("lenet5_sigmod", names) == "lenet5_sigmoid");
  CHECK(did_you_mean("vgg16", names).empty());
  CHECK(did_you_mean("anything", {}).empty());
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("", "abc") == 3);
  // "weigth_format" is 2 edits from "weight_format" (len 13 allows 4).
  CHECK(did_you_mean("weigth_format", {"weight_format", "word_format"}) == "weight_format");
}

}  // namespace
}  // namespace safsim
