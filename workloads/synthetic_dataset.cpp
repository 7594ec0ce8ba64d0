// Seeded synthetic images of the model's input shape, without labels. Pixel j of image i is a
// pure function of (seed, split, i, j), so any image count or slice sees the same pixels.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "base/errors.h"
#include "base/random_stream.h"
#include "workloads/dataset_readers.h"

namespace safsim::dataset_readers {

namespace {
constexpr double kTwoPi = 6.283185307179586476925;
}  // namespace

Dataset load_synthetic(const DatasetSource& source, DatasetSplit split) {
  const SyntheticConfig& cfg = source.synthetic;
  if (source.input_shape.c <= 0 || source.input_shape.h <= 0 || source.input_shape.w <= 0) {
    throw DatasetError(fmt::format(
        "dataset '{}': its images take the model's input shape, which is not set (got {})",
        source.name, shape_text(source.input_shape)));
  }
  const int count =
      split == DatasetSplit::kTest || source.train_images == 0 ? cfg.images : source.train_images;
  if (count < 0 || count > kMaxImages) {
    throw DatasetError(fmt::format("dataset '{}': {} images requested, at most {}", source.name,
                                   count, kMaxImages));
  }
  Dataset d;
  d.name = source.name;
  d.shape = source.input_shape;
  d.count = count;
  const int64_t size = d.shape.size();
  d.pixels.resize(static_cast<size_t>(count * size));
  const RandomStream split_stream(
      cfg.seed, 0, split == DatasetSplit::kTest ? "synthetic_test" : "synthetic_train");
  const bool normal = cfg.distribution == PixelDistribution::kNormal;
  for (int i = 0; i < count; ++i) {
    const RandomStream rng = split_stream.substream(static_cast<uint64_t>(i));
    uint8_t* px = d.pixels.data() + int64_t{i} * size;
    for (int64_t j = 0; j < size; ++j) {
      const uint64_t k = static_cast<uint64_t>(j);
      if (normal) {
        // Box-Muller; 1 - u is in (0, 1], so the logarithm is finite.
        const double u1 = 1.0 - rng.uniform_at(2 * k);
        const double u2 = rng.uniform_at(2 * k + 1);
        const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
        const double v = std::round(255.0 * (cfg.mean + cfg.std * z));
        px[j] = static_cast<uint8_t>(std::clamp(v, 0.0, 255.0));
      } else {
        px[j] = static_cast<uint8_t>(std::floor(rng.uniform_at(k) * 256.0));
      }
    }
  }
  return d;
}

}  // namespace safsim::dataset_readers
