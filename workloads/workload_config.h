// The `workload` and `quant` config sections: what runs and how it is quantized. The visitor
// protocol of visit() is described in sim/config.h, which aggregates every section.
#pragma once

#include <string>

#include "base/enum_names.h"
#include "workloads/word_format.h"

namespace safsim {

struct WorkloadConfig {
  std::string model = "lenet5";
  std::string dataset = "fashion-mnist";
  int images = 0;       // 0 = the whole test split
  int first_image = 0;  // index of the first test image used

  template <class V>
  void visit(V& v) {
    v.value("model", model, "zoo model name (see workloads/zoo/zoo.yaml) or path to an .onnx file");
    v.value("dataset", dataset, "dataset name (fashion-mnist) or a directory with IDX files");
    v.value("images", images, 0, 1000000, "number of test images to run; 0 = all");
    v.value("first_image", first_image, 0, 1000000, "index of the first test image");
  }
};

struct QuantConfig {
  int weight_bits = 8;
  WeightFormat weight_format = WeightFormat::kTwosComplement;
  int activation_bits = 8;
  bool per_channel = false;
  int calibration_images = 1000;
  int accumulator_bits = 32;

  template <class V>
  void visit(V& v) {
    v.value("weight_bits", weight_bits, 2, 16, "bits Q of an integer weight word");
    v.choice("weight_format", weight_format, weight_format_names(),
             "how a weight is stored in an NVM word");
    v.value("activation_bits", activation_bits, 4, 16, "bits of an activation code");
    v.value("per_channel", per_channel, "one weight scale per output channel instead of per layer");
    v.value("calibration_images", calibration_images, 1, 60000,
            "training images used to calibrate activation ranges");
    v.value("accumulator_bits", accumulator_bits, 16, 32, "PE accumulator width (wraps)");
  }
};

}  // namespace safsim
