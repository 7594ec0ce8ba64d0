#include "tests/fuzz/libfuzzer/dataset_fuzz.h"

#include "tests/fuzz/libfuzzer/fuzz_support.h"
#include "workloads/dataset.h"

namespace safsim::fuzz {

namespace {

void check_consistent(const Dataset& d, const DatasetSource& source) {
  require(d.count >= 0 && d.shape.size() >= 0, "a negative image count or shape");
  require(d.pixels.size() == size_t(d.count) * size_t(d.shape.size()),
          "pixels do not hold count images of the shape");
  require(d.labels.empty() || d.labels.size() == size_t(d.count), "one label per image");
  require(source.max_images == 0 || d.count <= source.max_images, "more images than asked for");
  require(d.split_images >= d.count, "split_images below the images read");
  require(d.value_scale.size() == d.value_shift.size(), "value scale and shift differ in size");
  require(d.value_scale.empty() || d.value_scale.size() == size_t(d.shape.c),
          "a value scale per channel");
  if (source.input_shape.c > 0) {
    require(d.shape == source.input_shape, "a shape other than the model's was accepted");
  }
  if (d.count > 0) {
    const Dataset first = d.slice(0, 1);
    require(first.count == 1, "slice(0, 1) of a non-empty dataset");
  }
}

}  // namespace

void read_dataset_like_cli(const std::string& name, uint8_t control) {
  DatasetSource source;
  source.name = name;
  source.max_images = control & 3;
  switch (control >> 2 & 3) {
    case 1:
      source.input_shape = Shape{1, 28, 28};
      break;
    case 2:
      source.input_shape = Shape{3, 32, 32};
      break;
    default:
      break;
  }
  switch (control >> 4 & 3) {
    case 1:
      source.layout = DataLayout::kNchw;
      break;
    case 2:
      source.layout = DataLayout::kNhwc;
      break;
    default:
      break;
  }
  // Each split on its own: a refused test split must not hide a bug in the training one.
  expect_clean([&] { check_consistent(load_dataset(source, DatasetSplit::kTest), source); });
  expect_clean([&] {
    if (has_split(source, DatasetSplit::kTrain)) {
      check_consistent(load_dataset(source, DatasetSplit::kTrain), source);
    }
  });
}

}  // namespace safsim::fuzz
