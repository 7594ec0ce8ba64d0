// The synthetic dataset: seeded images of the model's input shape, the same pixels for an image
// whatever the count or slice.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include "base/errors.h"
#include "workloads/dataset.h"

namespace safsim {
namespace {

DatasetSource synthetic(int images, uint64_t seed = 1) {
  DatasetSource s;
  s.name = "synthetic";
  s.input_shape = Shape{3, 8, 8};
  s.synthetic.images = images;
  s.synthetic.seed = seed;
  return s;
}

std::vector<uint8_t> image_of(const Dataset& d, int i) {
  return std::vector<uint8_t>(d.image(i), d.image(i) + d.shape.size());
}

TEST_CASE("synthetic: images of the input shape, no labels, pure in (seed, split, index)",
          "[dataset][synthetic]") {
  const Dataset ten = load_dataset(synthetic(10), DatasetSplit::kTest);
  CHECK(ten.name == "synthetic");
  CHECK(ten.count == 10);
  CHECK(ten.shape == Shape{3, 8, 8});
  CHECK(ten.pixels.size() == 10u * 192);
  CHECK_FALSE(ten.has_labels());
  CHECK(ten.first_index == 0);

  const Dataset three = load_dataset(synthetic(3), DatasetSplit::kTest);
  CHECK(image_of(three, 2) == image_of(ten, 2));
  CHECK(image_of(ten.slice(2, 3), 0) == image_of(ten, 2));
  CHECK(image_of(ten, 0) != image_of(ten, 1));
  CHECK(image_of(load_dataset(synthetic(3, 2), DatasetSplit::kTest), 2) != image_of(ten, 2));

  DatasetSource source = synthetic(10);
  CHECK(load_dataset(source, DatasetSplit::kTrain).count == 10);  // train_images 0: as many
  source.train_images = 4;
  const Dataset train = load_dataset(source, DatasetSplit::kTrain);
  CHECK(train.count == 4);
  CHECK(image_of(train, 0) != image_of(ten, 0));  // another stream than the test split
  CHECK(has_split(source, DatasetSplit::kTrain));
  CHECK(dataset_files(source).empty());

  // Uniform: every value equally likely, so the mean is near 127.5.
  const double mean = std::accumulate(ten.pixels.begin(), ten.pixels.end(), 0.0) / 1920.0;
  CHECK(mean == Approx(127.5).margin(6));
}

TEST_CASE("synthetic: normal pixels around mean with std, clamped to 0..255",
          "[dataset][synthetic]") {
  DatasetSource source = synthetic(20);
  source.synthetic.distribution = PixelDistribution::kNormal;
  source.synthetic.mean = 0.3;
  source.synthetic.std = 0.1;
  const Dataset d = load_dataset(source, DatasetSplit::kTest);
  double sum = 0, sq = 0;
  for (uint8_t p : d.pixels) {
    sum += p;
    sq += static_cast<double>(p) * p;
  }
  const double n = static_cast<double>(d.pixels.size());
  const double m = sum / n;
  CHECK(m == Approx(0.3 * 255).margin(1.5));
  CHECK(std::sqrt(sq / n - m * m) == Approx(0.1 * 255).margin(1.5));
  CHECK(image_of(load_dataset(source, DatasetSplit::kTest).slice(5, 1), 0) == image_of(d, 5));

  source.synthetic.mean = 1.0;
  source.synthetic.std = 0.5;
  const Dataset bright = load_dataset(source, DatasetSplit::kTest);
  CHECK(*std::max_element(bright.pixels.begin(), bright.pixels.end()) == 255);
}

TEST_CASE("synthetic: the input shape must be known", "[dataset][synthetic]") {
  DatasetSource source = synthetic(1);
  source.input_shape = Shape{};
  REQUIRE_THROWS_AS(load_dataset(source, DatasetSplit::kTest), DatasetError);
  REQUIRE_THROWS_WITH(load_dataset(source, DatasetSplit::kTest),
                      "dataset 'synthetic': its images take the model's input shape, which is "
                      "not set (got 0x0x0)");
}

}  // namespace
}  // namespace safsim
