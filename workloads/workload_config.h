// The `workload` and `quant` config sections: what runs and how it is quantized. The visitor
// protocol of visit() is described in sim/config.h, which aggregates every section.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/enum_names.h"
#include "workloads/word_format.h"

namespace safsim {

/// How an .npz array of 4 dimensions is laid out; `auto` takes it from the model's input shape.
enum class DataLayout { kAuto, kNchw, kNhwc };
const EnumNames<DataLayout>& data_layout_names();

/// How `synthetic` draws each pixel.
enum class PixelDistribution { kUniform, kNormal };
const EnumNames<PixelDistribution>& pixel_distribution_names();

/// The `workload.synthetic` section: seeded random images of the model's input shape, no labels.
/// Pixel j of image i of a split is a pure function of (seed, split, i, j).
struct SyntheticConfig {
  int images = 100;  // the test split's size (the training split is as large as calibration asks)
  PixelDistribution distribution = PixelDistribution::kUniform;
  double mean = 0.5;  // normal: mean of pixel / 255
  double std = 0.25;  // normal: standard deviation of pixel / 255 (clamped to [0, 255] after)
  uint64_t seed = 1;

  template <class V>
  void visit(V& v) {
    v.value("images", images, 1, 1000000, "images in the synthetic test split");
    v.choice("distribution", distribution, pixel_distribution_names(),
             "uniform: every pixel value 0..255 equally likely; normal: around mean");
    v.value("mean", mean, 0.0, 1.0, "normal: mean of pixel / 255");
    v.value("std", std, 0.0, 1.0, "normal: standard deviation of pixel / 255");
    v.value("seed", seed, uint64_t{0}, UINT64_MAX, "seed of the synthetic images");
  }
};

/// The `workload.normalize` section: torchvision's Normalize on pixel / 255, per channel. Empty
/// lists: the model takes pixel / 255 as it is.
struct NormalizeConfig {
  std::vector<double> mean;
  std::vector<double> std;

  bool enabled() const { return !mean.empty() || !std.empty(); }
  template <class V>
  void visit(V& v) {
    v.value("mean", mean, -1e6, 1e6, "per channel: subtracted from pixel / 255");
    v.value("std", std, 1e-9, 1e6, "per channel: then divided by");
  }
};

struct WorkloadConfig {
  std::string model = "lenet5";
  std::string dataset = "fashion-mnist";
  int images = 0;       // 0 = the whole test split
  int first_image = 0;  // index of the first test image used
  DataLayout layout = DataLayout::kAuto;
  SyntheticConfig synthetic;
  NormalizeConfig normalize;

  template <class V>
  void visit(V& v) {
    v.value("model", model, "zoo model name (see workloads/zoo/zoo.yaml) or path to an .onnx file");
    v.value("dataset", dataset,
            "fashion-mnist, synthetic, an .npz file, or a directory of IDX or CIFAR binary files "
            "(docs/data.md)");
    v.value("images", images, 0, 1000000, "number of test images to run; 0 = all");
    v.value("first_image", first_image, 0, 1000000, "index of the first test image");
    v.choice("layout", layout, data_layout_names(),
             "layout of an .npz file's 4-D arrays; auto: from the model's input shape");
    v.section("synthetic", synthetic, "dataset `synthetic`: seeded random images");
    v.section("normalize", normalize, "per-channel (pixel / 255 - mean) / std before the model");
  }
};

/// Where calibration images come from: `auto` is the training split when the dataset has one,
/// else the test split.
enum class CalibrationSource { kAuto, kTrain, kTest, kSynthetic };
const EnumNames<CalibrationSource>& calibration_source_names();

struct QuantConfig {
  int weight_bits = 8;
  WeightFormat weight_format = WeightFormat::kTwosComplement;
  int activation_bits = 8;
  bool per_channel = false;
  int calibration_images = 1000;
  CalibrationSource calibration_source = CalibrationSource::kAuto;
  int calibration_first = 0;
  int accumulator_bits = 32;

  template <class V>
  void visit(V& v) {
    v.value("weight_bits", weight_bits, 2, 16, "bits Q of an integer weight word");
    v.choice("weight_format", weight_format, weight_format_names(),
             "how a weight is stored in an NVM word");
    v.value("activation_bits", activation_bits, 4, 16, "bits of an activation code");
    v.value("per_channel", per_channel, "one weight scale per output channel instead of per layer");
    v.value("calibration_images", calibration_images, 1, 1000000,
            "images used to calibrate activation ranges");
    v.choice("calibration_source", calibration_source, calibration_source_names(),
             "auto: the training split when the dataset has one, else the test split");
    v.value("calibration_first", calibration_first, 0, 1000000,
            "index of the first calibration image in its split");
    v.value("accumulator_bits", accumulator_bits, 16, 32, "PE accumulator width (wraps)");
  }
};

}  // namespace safsim
