// Allowed values of the `workload` and `quant` sections' enum keys.
#include "workloads/workload_config.h"

namespace safsim {

const EnumNames<DataLayout>& data_layout_names() {
  static const EnumNames<DataLayout> names = {
      {"auto", DataLayout::kAuto}, {"nchw", DataLayout::kNchw}, {"nhwc", DataLayout::kNhwc}};
  return names;
}

const EnumNames<PixelDistribution>& pixel_distribution_names() {
  static const EnumNames<PixelDistribution> names = {{"uniform", PixelDistribution::kUniform},
                                                     {"normal", PixelDistribution::kNormal}};
  return names;
}

const EnumNames<CalibrationSource>& calibration_source_names() {
  static const EnumNames<CalibrationSource> names = {{"auto", CalibrationSource::kAuto},
                                                     {"train", CalibrationSource::kTrain},
                                                     {"test", CalibrationSource::kTest},
                                                     {"synthetic", CalibrationSource::kSynthetic}};
  return names;
}

}  // namespace safsim
