// Image classification datasets: Fashion-MNIST and IDX directories, .npz files, CIFAR-10/100
// binary directories and seeded synthetic images (docs/data.md says how to bring data).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "workloads/model.h"
#include "workloads/workload_config.h"

namespace safsim {

/// Images as uint8 pixels in CHW order, one label per image (or none).
///   Dataset test = load_dataset(DatasetSource{"fashion-mnist"}, DatasetSplit::kTest);
///   const uint8_t* px = test.image(0);   // test.shape.size() bytes
struct Dataset {
  std::string name;
  Shape shape;  // per image
  int count = 0;
  int64_t first_index = 0;      // index of image 0 in the full split (keys per-image faults)
  int split_images = 0;         // images in the whole split: count, unless a reader stopped early
  std::vector<uint8_t> pixels;  // count * shape.size()
  std::vector<int32_t> labels;  // count, or empty: the dataset has no labels
  // What pixel p of channel c stands for: p / 255 * value_scale[c] + value_shift[c]. Empty for
  // uint8 sources (the value is p / 255). A float source is quantized to pixels over a range
  // calibrated per channel, with 0 on an exact pixel (npz_dataset.cpp, docs/data.md).
  std::vector<float> value_scale, value_shift;

  bool has_labels() const { return !labels.empty(); }
  const uint8_t* image(int i) const { return pixels.data() + int64_t{i} * shape.size(); }
  /// The first `n` images (or all when n == 0 or n > count), starting at `first`.
  Dataset slice(int first, int n) const;
};

enum class DatasetSplit { kTrain, kTest };

/// What to read: `workload.dataset` and what the readers need besides the name.
struct DatasetSource {
  std::string name;     // fashion-mnist | synthetic | a directory | an .npz file
  Shape input_shape{};  // the model's: synthetic images take it, it decides an .npz layout
  DataLayout layout = DataLayout::kAuto;
  SyntheticConfig synthetic{};
  int train_images = 0;  // synthetic: images of the training split (0: synthetic.images)
  int max_images = 0;    // read only the split's first max_images images (0: all of them)
};

/// Reads an IDX image file (3 or 4 dimensions) and an IDX label file (gzip or plain): the first
/// `max_images` images (0: all), split_images the count the header announces. Throws
/// DatasetError naming the file and byte offset for a missing, truncated or inconsistent file.
Dataset load_idx(const std::string& images_path, const std::string& labels_path,
                 int max_images = 0);

/// The split `split` of `source` (its first source.max_images images when that is set; IDX files
/// and CIFAR batches are then read only that far, and so are .npz image arrays, but the float
/// array a range is calibrated on, the training split's or else this one, is read whole first;
/// synthetic splits are made whole). Throws
/// DatasetError naming the file, the array or record and what was expected; the sizes a header
/// implies are checked before anything is allocated.
Dataset load_dataset(const DatasetSource& source, DatasetSplit split);

/// True when `source` has the split (without reading its payload). Synthetic data has both.
/// Throws as load_dataset() does for a name that stands for nothing readable.
bool has_split(const DatasetSource& source, DatasetSplit split);

/// The files `source` reads (train split first), for input fingerprints; none for synthetic.
/// Never throws: an unknown name or a missing file gives what exists (an .npz: its path).
std::vector<std::string> dataset_files(const DatasetSource& source);

/// The directory a named dataset or a directory path stands for ("fashion-mnist":
/// $SAFSIM_DATA_DIR/fashion-mnist or /usr/share/datasets/fashion-mnist).
std::string dataset_dir(const std::string& name_or_dir);

}  // namespace safsim
