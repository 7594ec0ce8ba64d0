// Network outputs of a batch of images, as the accelerator produces them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace safsim {

/// Integer formats keep the output codes (compare bit for bit); float formats keep fp32 values.
struct Logits {
  int images = 0;
  int classes = 0;
  bool is_float = false;
  float scale = 1.0f;          // real value of one output code (integer formats)
  std::vector<int32_t> codes;  // images x classes (integer formats)
  std::vector<float> values;   // images x classes (float formats)

  /// Index of the largest logit of image i (the first one on ties).
  int top1(int i) const;
  double value(int i, int c) const {
    return is_float ? values[std::size_t(i) * classes + c]
                    : double(scale) * codes[std::size_t(i) * classes + c];
  }
};

/// Share of images whose top-1 equals the label.
double accuracy(const Logits& l, const std::vector<int32_t>& labels);

}  // namespace safsim
