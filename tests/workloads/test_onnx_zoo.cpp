// The zoo models exported by workloads/train/train.py import, have the layer sizes zoo.yaml
// documents and classify like PyTorch did. The zoo is committed, so a missing file fails.
#include <onnx/onnx_pb.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "workloads/dataset.h"
#include "workloads/model.h"
#include "workloads/onnx_import.h"

namespace safsim {
namespace {

bool same_shape(const Shape& s, int c, int h, int w) { return s == Shape{c, h, w}; }

std::string zoo_file(const std::string& name) {
  return std::string(SAFSIM_SOURCE_DIR) + "/workloads/zoo/" + name;
}

/// Weight counts of the Conv/Gemm/MatMul layers, in graph order.
std::vector<int64_t> array_weight_counts(const Model& m) {
  std::vector<int64_t> counts;
  for (const Layer& l : m.layers) {
    if (l.kind == LayerKind::kConv2d) {
      counts.push_back(l.weight_count());
    }
  }
  return counts;
}

/// Top-1 accuracy of run_float on the first n test images (pixels scaled by 1/255, the zoo's
/// input convention in zoo.yaml).
double float_accuracy(const Model& m, const Dataset& test, int n) {
  int correct = 0;
  for (int i = 0; i < n; ++i) {
    std::vector<float> x(test.image(i), test.image(i) + test.shape.size());
    for (float& v : x) {
      v /= 255.0f;
    }
    const std::vector<float> y = run_float(m, x);
    correct += std::max_element(y.begin(), y.end()) - y.begin() == test.labels[i];
  }
  return static_cast<double>(correct) / n;
}

TEST_CASE("Zoo lenet5 imports with the LeNet-5 layer sizes", "[onnx][zoo]") {
  const std::string path = zoo_file("lenet5.onnx");
  REQUIRE(std::filesystem::exists(path));
  const Model m = import_onnx(path);
  // conv 1->20 5x5, conv 20->50 5x5, fc 800->120, fc 120->84, fc 84->10.
  CHECK(array_weight_counts(m) == std::vector<int64_t>{500, 25000, 96000, 10080, 840});
  CHECK(same_shape(m.input_shape, 1, 28, 28));
  CHECK(same_shape(m.output().out_shape, 10, 1, 1));
  CHECK(run_float(m, std::vector<float>(28 * 28, 0.5f)).size() == 10);
}

TEST_CASE("Every zoo model matches zoo.yaml: layer sizes and fp32 test accuracy",
          "[onnx][dataset][zoo]") {
  const std::string index = zoo_file("zoo.yaml");
  REQUIRE(std::filesystem::exists(index));
  const Dataset test = load_dataset(DatasetSource{"fashion-mnist"}, DatasetSplit::kTest);
  for (const YAML::Node& entry : YAML::LoadFile(index)["models"]) {
    const std::string path = zoo_file(entry["file"].as<std::string>());
    INFO(path << " is listed in zoo.yaml");
    REQUIRE(std::filesystem::exists(path));
    INFO(path);
    const Model m = import_onnx(path);
    CHECK(array_weight_counts(m) == entry["weights_per_layer"].as<std::vector<int64_t>>());
    if (entry["dataset"]) {
      // Trained on other data (fmnist32, workloads/train/make_data.py): its accuracy is checked
      // end to end on that data by tests/e2e/data_formats.sh.
      continue;
    }
    // Enough images for ~0.5 s of run_float (about 1 GMAC/s) per model, at least 100.
    int64_t macs = 0;
    for (const Layer& l : m.layers) {
      macs += l.kind == LayerKind::kConv2d ? l.out_shape.h * l.out_shape.w * l.weight_count() : 0;
    }
    const int n = static_cast<int>(std::clamp<int64_t>(500'000'000 / macs, 100, 1000));
    // PyTorch's accuracy is over all 10000 images; a sample of n differs by a binomial error
    // (3 sigma), plus 1% for the different summation order near decision boundaries.
    const double want = entry["fp32_test_accuracy"].as<double>();
    const double tolerance = 3.0 * std::sqrt(want * (1.0 - want) / n) + 0.01;
    CHECK(float_accuracy(m, test, n) == Approx(want).margin(tolerance));
  }
}

TEST_CASE("Zoo resnet20 imports with its BatchNormalizations folded", "[onnx][zoo]") {
  const std::string path = zoo_file("resnet20.onnx");
  REQUIRE(std::filesystem::exists(path));
  onnx::ModelProto proto;
  {
    std::ifstream f(path, std::ios::binary);
    REQUIRE(proto.ParseFromIstream(&f));
  }
  int bn_nodes = 0;
  for (const auto& n : proto.graph().node()) {
    bn_nodes += n.op_type() == "BatchNormalization";
  }
  const Model m = import_onnx(path);
  WARN("resnet20.onnx: " << m.layers.size() << " layers, " << bn_nodes
                         << " BatchNormalization nodes folded into their Conv");
  int adds = 0;
  for (const Layer& l : m.layers) {
    adds += l.kind == LayerKind::kAdd;
  }
  CHECK(adds == 9);  // one residual add per BasicBlock, 3 stages x 3 blocks
  CHECK(same_shape(m.output().out_shape, 10, 1, 1));
  CHECK(run_float(m, std::vector<float>(28 * 28, 0.5f)).size() == 10);
}

}  // namespace
}  // namespace safsim
