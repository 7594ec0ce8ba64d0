// Where a quantized model's calibration images came from (summary.json "calibration").
#pragma once

#include <string>

namespace safsim {

struct CalibrationInfo {
  std::string source = "none";  // train, test or synthetic; none for float formats
  int first = 0;                // index of the first one in that split
  int images = 0;
};

}  // namespace safsim
