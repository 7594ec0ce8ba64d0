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
  b.node("Erf", {"x"}, {"y"}, "Conv_3");
  b.output("y");
  const std::string msg = import_error(b, dir, "lenet.onnx");
  CHECK_THAT(msg, Contains(dir.file("lenet.onnx") +
                           ": node 'Conv_3' (op Erf): the op is not supported; supported ops: "
                           "Conv, Gemm, MatMul, Add, Sub, Mul, Div, Relu, Sigmoid, Clip"));
  CHECK_THAT(msg, Contains("docs/models.md"));
}

TEST_CASE("An unnamed unsupported node gets the name <op>_<index>", "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 4});
  b.node("Relu", {"x"}, {"r"});
  b.node("Erf", {"r"}, {"y"});
  b.output("y");
  CHECK_THAT(import_error(b, dir, "m.onnx"), Contains("node 'Erf_1' (op Erf)"));
}

TEST_CASE("Every unsupported op and attribute is listed at once, with counts and first node",
          "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 1, 4, 4});
  b.init("w", {1, 1, 1, 1}, {1.0f});
  b.node("Conv", {"x", "w"}, {"c1"}, "conv1").i("group", 3);  // checked: its input exists
  b.node("Erf", {"x"}, {"e1"}, "erf_a");
  b.node("Erf", {"e1"}, {"e2"}, "erf_b");
  b.node("Einsum", {"e2"}, {"y"}, "ein");  // behind failed nodes, still listed by op type
  b.output("y");
  const std::string msg = import_error(b, dir, "m.onnx");
  CHECK_THAT(msg, Contains("4 nodes cannot be imported (3 distinct problems"));
  CHECK_THAT(msg, Contains("op Erf: 2 nodes, first 'erf_a': the op is not supported"));
  CHECK_THAT(msg, Contains("op Einsum: 1 node, first 'ein': the op is not supported"));
  CHECK_THAT(msg, Contains("op Conv: 1 node, first 'conv1': attribute group = 3 must divide"));
  CHECK_THAT(msg, Contains("supported ops: Conv"));
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
  SECTION("Gemm transA") {
    b.node("Flatten", {"x"}, {"f"});
    b.init("B", {16, 2}, std::vector<float>(32, 1.0f));
    b.node("Gemm", {"f", "B"}, {"y"}, "fc").i("transA", 1);
    expected = "attribute transA = 1 is not supported";
  }
  SECTION("Conv group") {
    b.node("Conv", {"x", "w"}, {"y"}, "c").i("group", 2);
    expected =
        "node 'c' (op Conv): attribute group = 2 must divide the 1 input and 1 output "
        "channels";
  }
  SECTION("Conv auto_pad") {
    b.node("Conv", {"x", "w"}, {"y"}, "c").s("auto_pad", "SAME");
    expected = "attribute auto_pad = SAME is not supported; expected NOTSET, SAME_UPPER";
  }
  SECTION("Conv dilations") {
    b.node("Conv", {"x", "w"}, {"y"}, "c").ints("dilations", {0, 2});
    expected = "attribute dilations = [0, 2] is not supported; expected 2 positive values";
  }
  SECTION("MaxPool dilations") {
    b.node("MaxPool", {"x"}, {"y"}, "p").ints("kernel_shape", {2, 2}).ints("dilations", {2, 2});
    expected = "attribute dilations = [2, 2] is not supported; only 1";
  }
  SECTION("MaxPool ceil_mode") {
    b.node("MaxPool", {"x"}, {"y"}, "p").ints("kernel_shape", {2, 2}).i("ceil_mode", 2);
    expected = "node 'p' (op MaxPool): attribute ceil_mode = 2 is not supported; only 0 or 1";
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
    expected =
        "node 'r' (op Reshape): reshape of a 4-D tensor [1, 1, 4, 4] to [1, 4, 4] is not supported";
  }
  b.output("y");
  CHECK_THAT(import_error(b, dir, "m.onnx"), Contains(expected));
}

TEST_CASE("BatchNormalization away from a Conv is left for the next Conv or Gemm to fold",
          "[onnx]") {
  TempDir dir;
  OnnxBuilder b({-1, 1, 2, 2});
  for (const char* p : {"gamma", "beta", "mean", "var"}) {
    b.init(p, {1}, {1.0f});
  }
  std::string expected;
  SECTION("after the model input, as the output") {
    b.node("BatchNormalization", {"x", "gamma", "beta", "mean", "var"}, {"y"}, "bn");
    expected = "graph output 'y' ends in a constant scale, shift";
  }
  SECTION("after a Relu, as the output") {
    b.node("Relu", {"x"}, {"r"}, "relu");
    b.node("BatchNormalization", {"r", "gamma", "beta", "mean", "var"}, {"y"}, "bn");
    expected = "graph output 'y' ends in a constant scale, shift";
  }
  SECTION("after a Conv whose output is also used elsewhere, before an Add") {
    b.init("w", {1, 1, 1, 1}, {1.0f});
    b.node("Conv", {"x", "w"}, {"c"}, "conv");
    b.node("BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, {"n"}, "bn");
    b.node("Add", {"n", "c"}, {"y"}, "add");
    expected =
        "node 'add' (op Add): input 'n' is node 'conv' (op Conv) scaled or shifted by "
        "constants; safsim folds such constants only into the Conv, Gemm or MatMul";
  }
  b.output("y");
  CHECK_THAT(import_error(b, dir, "m.onnx"), Contains(expected));
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
    expected =
        "graph output 'y' ends in a constant scale, shift, Pad or reshape that no layer "
        "follows; safsim folds those into the next Conv or Gemm";
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
