// Image classification datasets in IDX format (gzip), e.g. Fashion-MNIST.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "workloads/model.h"

namespace safsim {

/// Images as raw uint8 pixels in CHW order, one label per image.
///   Dataset test = load_dataset("fashion-mnist", DatasetSplit::kTest);
///   const uint8_t* px = test.image(0);   // test.shape.size() bytes
struct Dataset {
  std::string name;
  Shape shape;  // per image
  int count = 0;
  int64_t first_index = 0;      // index of image 0 in the full split (keys per-image faults)
  std::vector<uint8_t> pixels;  // count * shape.size()
  std::vector<uint8_t> labels;  // count

  const uint8_t* image(int i) const { return pixels.data() + int64_t{i} * shape.size(); }
  /// The first `n` images (or all when n == 0 or n > count), starting at `first`.
  Dataset slice(int first, int n) const;
};

enum class DatasetSplit { kTrain, kTest };

/// Reads an IDX image file and an IDX label file (gzip or plain). Throws DatasetError naming
/// the file and byte offset for a missing, truncated or inconsistent file.
Dataset load_idx(const std::string& images_path, const std::string& labels_path);

/// A named dataset ("fashion-mnist", found in $SAFSIM_DATA_DIR/fashion-mnist or
/// /usr/share/datasets/fashion-mnist) or a directory holding the four IDX files.
Dataset load_dataset(const std::string& name_or_dir, DatasetSplit split);

/// The IDX files of `name_or_dir` that exist, train split first, found as load_dataset() finds
/// them (each `<base>.gz`, else the uncompressed `<base>`).
std::vector<std::string> dataset_files(const std::string& name_or_dir);

}  // namespace safsim
