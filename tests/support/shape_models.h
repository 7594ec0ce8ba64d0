// LeNet-5 and ResNet-20 with the zoo's layer shapes (workloads/train/models.py) and random
// weights: timing depends only on shapes, so these need no trained ONNX file.
#pragma once

#include "tests/support/random_model.h"

namespace safsim::test {

inline Model lenet5_shapes(unsigned seed) {
  ModelBuilder b({1, 28, 28}, seed);
  int x = b.act(b.conv(-1, 20, 5, 1, 0), LayerKind::kRelu);  // 20x24x24
  x = b.pool(x, LayerKind::kMaxPool, 2, 2, 0);               // 20x12x12
  x = b.act(b.conv(x, 50, 5, 1, 0), LayerKind::kRelu);       // 50x8x8
  x = b.pool(x, LayerKind::kMaxPool, 2, 2, 0);               // 50x4x4
  x = b.flatten(x);                                          // 800
  x = b.act(b.conv(x, 120, 1, 1, 0, true), LayerKind::kRelu);
  x = b.act(b.conv(x, 84, 1, 1, 0, true), LayerKind::kRelu);
  b.conv(x, 10, 1, 1, 0, true);
  return b.build();
}

inline Model resnet20_shapes(unsigned seed) {
  ModelBuilder b({1, 28, 28}, seed);
  int x = b.act(b.conv(-1, 16, 3, 1, 1), LayerKind::kRelu);
  int cin = 16;
  for (int stage = 0; stage < 3; ++stage) {
    const int w = 16 << stage;
    for (int blk = 0; blk < 3; ++blk) {
      const int stride = stage > 0 && blk == 0 ? 2 : 1;
      int y = b.act(b.conv(x, w, 3, stride, 1), LayerKind::kRelu);
      y = b.conv(y, w, 3, 1, 1);
      const int s = stride != 1 || cin != w ? b.conv(x, w, 1, stride, 0) : x;
      x = b.act(b.residual(y, s), LayerKind::kRelu);
      cin = w;
    }
  }
  x = b.flatten(b.global_pool(x));
  b.conv(x, 10, 1, 1, 0, true);
  return b.build();
}

}  // namespace safsim::test
