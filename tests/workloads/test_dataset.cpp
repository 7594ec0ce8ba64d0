// IDX loading: the installed Fashion-MNIST, and hand-written tiny IDX files (3 and 4 dimensions)
// for every error path; which reader a dataset name stands for.
#include <sys/stat.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "base/errors.h"
#include "tests/support/onnx_builder.h"
#include "workloads/dataset.h"

namespace safsim {
namespace {

using Catch::Contains;
using test::ScopedEnv;
using test::TempDir;

void put_be32(std::vector<uint8_t>* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<uint8_t>(v >> shift));
  }
}

/// An IDX image file: magic 0x803, count, rows, cols, then `pixels`.
std::vector<uint8_t> idx_images(uint32_t count, uint32_t rows, uint32_t cols,
                                const std::vector<uint8_t>& pixels, uint32_t magic = 0x803) {
  std::vector<uint8_t> out;
  put_be32(&out, magic);
  put_be32(&out, count);
  put_be32(&out, rows);
  put_be32(&out, cols);
  out.insert(out.end(), pixels.begin(), pixels.end());
  return out;
}

/// A 4-dimensional IDX image file: magic 0x804, count, channels, rows, cols, then `pixels`.
std::vector<uint8_t> idx4_images(uint32_t count, uint32_t channels, uint32_t rows, uint32_t cols,
                                 const std::vector<uint8_t>& pixels) {
  std::vector<uint8_t> out;
  for (uint32_t v : {0x804u, count, channels, rows, cols}) {
    put_be32(&out, v);
  }
  out.insert(out.end(), pixels.begin(), pixels.end());
  return out;
}

/// An IDX label file: magic 0x801, count, then `labels`.
std::vector<uint8_t> idx_labels(uint32_t count, const std::vector<uint8_t>& labels) {
  std::vector<uint8_t> out;
  put_be32(&out, 0x801);
  put_be32(&out, count);
  out.insert(out.end(), labels.begin(), labels.end());
  return out;
}

std::string write_plain(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return path;
}

std::string write_gzip(const std::string& path, const std::vector<uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) ==
          static_cast<int>(bytes.size()));
  gzclose(f);
  return path;
}

std::vector<uint8_t> iota_bytes(int n) {
  std::vector<uint8_t> v(n);
  std::iota(v.begin(), v.end(), uint8_t{1});
  return v;
}

TEST_CASE("Fashion-MNIST test split: 10000 images of 28x28 with the known first labels",
          "[dataset]") {
  ScopedEnv env("SAFSIM_DATA_DIR", nullptr);
  const Dataset d = load_dataset(DatasetSource{"fashion-mnist"}, DatasetSplit::kTest);
  CHECK(d.name == "fashion-mnist");
  REQUIRE(d.count == 10000);
  CHECK(d.shape == Shape{1, 28, 28});
  CHECK(d.pixels.size() == 10000u * 784);
  REQUIRE(d.labels.size() == 10000u);
  CHECK(std::vector<int32_t>(d.labels.begin(), d.labels.begin() + 10) ==
        std::vector<int32_t>{9, 2, 1, 1, 6, 1, 4, 6, 5, 7});
  // Image 0 (an ankle boot): pixel sum and the centre pixel, read with Python's gzip module.
  CHECK(std::accumulate(d.image(0), d.image(0) + 784, 0) == 33456);
  CHECK(d.image(0)[14 * 28 + 14] == 110);
}

TEST_CASE("Fashion-MNIST train split has 60000 images", "[dataset]") {
  ScopedEnv env("SAFSIM_DATA_DIR", nullptr);
  const Dataset d = load_dataset(DatasetSource{"fashion-mnist"}, DatasetSplit::kTrain);
  REQUIRE(d.count == 60000);
  CHECK(std::vector<int32_t>(d.labels.begin(), d.labels.begin() + 10) ==
        std::vector<int32_t>{9, 0, 0, 3, 0, 2, 7, 2, 5, 5});
}

TEST_CASE("Dataset::slice takes n images from first, or all the rest when n is 0 or too big",
          "[dataset]") {
  TempDir dir;
  const Dataset d = load_idx(write_plain(dir.file("i"), idx_images(5, 1, 2, iota_bytes(10))),
                             write_plain(dir.file("l"), idx_labels(5, {0, 1, 2, 3, 4})));
  const Dataset s = d.slice(1, 2);
  CHECK(s.count == 2);
  CHECK(s.shape == d.shape);
  CHECK(s.labels == std::vector<int32_t>{1, 2});
  CHECK(s.pixels == std::vector<uint8_t>{3, 4, 5, 6});
  CHECK(d.slice(3, 0).labels == std::vector<int32_t>{3, 4});
  CHECK(d.slice(0, 100).count == 5);
  CHECK(d.slice(5, 0).count == 0);
  REQUIRE_THROWS_AS(d.slice(6, 1), DatasetError);
  REQUIRE_THROWS_WITH(d.slice(-1, 1), Contains("cannot take 1 images from image -1"));
}

TEST_CASE("load_idx reads gzip and plain IDX files alike", "[dataset]") {
  TempDir dir;
  const std::vector<uint8_t> images = idx_images(3, 2, 2, iota_bytes(12));
  const std::vector<uint8_t> labels = idx_labels(3, {7, 8, 9});
  const bool gzip = GENERATE(false, true);
  const auto write = gzip ? write_gzip : write_plain;
  const Dataset d = load_idx(write(dir.file("img"), images), write(dir.file("lbl"), labels));
  CHECK(d.count == 3);
  CHECK(d.shape == Shape{1, 2, 2});
  CHECK(d.pixels == iota_bytes(12));
  CHECK(d.labels == std::vector<int32_t>{7, 8, 9});
  CHECK(d.image(2)[0] == 9);
}

TEST_CASE("load_idx errors name the file, the expectation and the byte offset", "[dataset]") {
  TempDir dir;
  const std::string labels = write_plain(dir.file("labels"), idx_labels(3, {1, 2, 3}));
  const std::string images = dir.file("images");
  std::vector<uint8_t> bytes = idx_images(3, 2, 2, iota_bytes(12));  // 16 + 12 = 28 bytes

  SECTION("truncated payload") {
    bytes.resize(25);
    write_plain(images, bytes);
    REQUIRE_THROWS_AS(load_idx(images, labels), DatasetError);
    REQUIRE_THROWS_WITH(load_idx(images, labels),
                        images + ": truncated at byte 25 of expected 28 (3 images of 2x2)");
  }
  SECTION("truncated header") {
    bytes.resize(10);
    write_gzip(images, bytes);
    REQUIRE_THROWS_WITH(load_idx(images, labels),
                        images + ": truncated at byte 10 of expected 16 (IDX image header)");
  }
  SECTION("trailing bytes") {
    bytes.push_back(0);
    write_plain(images, bytes);
    REQUIRE_THROWS_WITH(load_idx(images, labels),
                        images + ": 1 unexpected bytes after byte 28 (end of 3 images of 2x2)");
  }
  SECTION("wrong magic: a label file given as images") {
    REQUIRE_THROWS_WITH(load_idx(labels, labels),
                        labels +
                            ": not an IDX image file: magic number 0x00000801 at byte 0 (a "
                            "label file?), expected 0x00000803 or 0x00000804");
  }
  SECTION("wrong magic: not IDX at all") {
    write_plain(images, {'P', 'K', 3, 4, 0, 0});
    REQUIRE_THROWS_WITH(load_idx(images, labels),
                        images +
                            ": not an IDX image file: magic number 0x504b0304 at byte 0, "
                            "expected 0x00000803 or 0x00000804");
  }
  SECTION("image and label counts differ") {
    write_gzip(images, bytes);
    const std::string two = write_plain(dir.file("two"), idx_labels(2, {1, 2}));
    REQUIRE_THROWS_WITH(load_idx(images, two), images + ": 3 images, but " + two + " has 2 labels");
  }
  SECTION("truncated label file") {
    write_plain(images, bytes);
    const std::string short_labels = write_plain(dir.file("short"), idx_labels(3, {1}));
    REQUIRE_THROWS_WITH(load_idx(images, short_labels),
                        short_labels + ": truncated at byte 9 of expected 11 (3 labels)");
  }
  SECTION("a cut-off gzip stream") {
    std::vector<uint8_t> big = idx_images(100, 28, 28, std::vector<uint8_t>(78400, 0));
    for (size_t i = 0; i < big.size(); ++i) {
      big[i] ^= static_cast<uint8_t>(i * 2654435761u >> 13);  // incompressible-ish payload
    }
    write_gzip(images, big);
    std::filesystem::resize_file(images, std::filesystem::file_size(images) / 2);
    REQUIRE_THROWS_WITH(load_idx(images, labels), Contains(images + ": gzip error after byte ") &&
                                                      Contains("unexpected end of file"));
  }
  SECTION("a missing file") {
    REQUIRE_THROWS_WITH(load_idx(dir.file("absent"), labels),
                        dir.file("absent") + ": cannot open: No such file or directory");
  }
}

TEST_CASE("load_dataset takes a directory of the four IDX files, gzip or plain", "[dataset]") {
  TempDir dir;
  write_gzip(dir.file("t10k-images-idx3-ubyte.gz"), idx_images(2, 1, 1, {5, 6}));
  write_plain(dir.file("t10k-labels-idx1-ubyte"), idx_labels(2, {0, 1}));
  const Dataset d = load_dataset(DatasetSource{dir.path()}, DatasetSplit::kTest);
  CHECK(d.name == dir.path());
  CHECK(d.count == 2);
  CHECK(d.pixels == std::vector<uint8_t>{5, 6});
  REQUIRE_THROWS_WITH(load_dataset(DatasetSource{dir.path()}, DatasetSplit::kTrain),
                      dir.path() +
                          ": missing train-images-idx3-ubyte.gz (or uncompressed "
                          "train-images-idx3-ubyte, or train-images-idx4-ubyte[.gz])");
}

TEST_CASE("load_dataset rejects unknown names with the allowed ones and an install hint",
          "[dataset]") {
  REQUIRE_THROWS_WITH(load_dataset(DatasetSource{"fashion-mnst"}, DatasetSplit::kTest),
                      Contains("unknown dataset 'fashion-mnst' (did you mean 'fashion-mnist'?): "
                               "expected one of: fashion-mnist, synthetic, an .npz file, or a "
                               "directory holding IDX files (train-images-idx3-ubyte.gz") &&
                          Contains("or CIFAR-10/100 binary batches (data_batch_1.bin") &&
                          Contains("apt-get install dataset-fashion-mnist"));
  REQUIRE_THROWS_WITH(load_dataset(DatasetSource{"cifar10"}, DatasetSplit::kTest),
                      !Contains("did you mean") && Contains("unknown dataset 'cifar10'"));
}

TEST_CASE("SAFSIM_DATA_DIR redirects fashion-mnist, a missing copy says how to install it",
          "[dataset]") {
  TempDir root;
  ScopedEnv env("SAFSIM_DATA_DIR", root.path().c_str());
  REQUIRE_THROWS_WITH(load_dataset(DatasetSource{"fashion-mnist"}, DatasetSplit::kTest),
                      "dataset 'fashion-mnist': directory " + root.path() +
                          "/fashion-mnist not found; install Fashion-MNIST with 'apt-get install "
                          "dataset-fashion-mnist' or set SAFSIM_DATA_DIR");
  std::filesystem::create_directory(root.file("fashion-mnist"));
  write_plain(root.file("fashion-mnist/t10k-images-idx3-ubyte"), idx_images(1, 1, 1, {42}));
  write_plain(root.file("fashion-mnist/t10k-labels-idx1-ubyte"), idx_labels(1, {3}));
  const Dataset d = load_dataset(DatasetSource{"fashion-mnist"}, DatasetSplit::kTest);
  CHECK(d.count == 1);
  CHECK(d.labels == std::vector<int32_t>{3});
}

TEST_CASE("load_idx reads 4-dimensional images as N x C x H x W", "[dataset]") {
  TempDir dir;
  const std::string labels = write_plain(dir.file("l"), idx_labels(2, {4, 5}));
  const Dataset d =
      load_idx(write_gzip(dir.file("i"), idx4_images(2, 3, 1, 2, iota_bytes(12))), labels);
  CHECK(d.count == 2);
  CHECK(d.shape == Shape{3, 1, 2});
  CHECK(d.pixels == iota_bytes(12));
  CHECK(d.image(1)[0] == 7);

  SECTION("a header that lies about the size") {
    const std::string images =
        write_plain(dir.file("lie"), idx4_images(2, 3, 2, 2, iota_bytes(12)));
    REQUIRE_THROWS_WITH(load_idx(images, labels),
                        images + ": truncated at byte 32 of expected 44 (2 images of 3x2x2)");
  }
  SECTION("implausible dimensions") {
    const std::string images =
        write_plain(dir.file("zero"), idx4_images(2, 0, 2, 2, iota_bytes(12)));
    REQUIRE_THROWS_WITH(load_idx(images, labels),
                        images + ": implausible IDX image header at byte 4: 2 images of 0x2x2");
    const std::string huge = write_plain(
        dir.file("huge"), idx4_images(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, {}));
    REQUIRE_THROWS_WITH(load_idx(huge, labels), Contains("implausible IDX image header"));
  }
  SECTION("an IDX file of another element type") {
    std::vector<uint8_t> floats = idx_images(1, 1, 1, {0, 0, 0, 0}, 0x0d03);
    const std::string images = write_plain(dir.file("float"), floats);
    REQUIRE_THROWS_WITH(load_idx(images, labels),
                        Contains("magic number 0x00000d03 at byte 0 (IDX of element type 0x0d; "
                                 "only unsigned bytes, 0x08, are read)"));
  }
}

TEST_CASE("an IDX directory holds idx3 or idx4 images, checked against the model's input shape",
          "[dataset]") {
  TempDir dir;
  write_plain(dir.file("t10k-images-idx4-ubyte"), idx4_images(1, 3, 1, 1, {1, 2, 3}));
  write_plain(dir.file("t10k-labels-idx1-ubyte"), idx_labels(1, {7}));
  DatasetSource source{dir.path()};
  const Dataset d = load_dataset(source, DatasetSplit::kTest);
  CHECK(d.shape == Shape{3, 1, 1});
  CHECK(d.labels == std::vector<int32_t>{7});
  CHECK(d.first_index == 0);
  CHECK(has_split(source, DatasetSplit::kTest));
  CHECK_FALSE(has_split(source, DatasetSplit::kTrain));
  source.input_shape = Shape{1, 28, 28};
  REQUIRE_THROWS_WITH(
      load_dataset(source, DatasetSplit::kTest),
      dir.file("t10k-images-idx4-ubyte") + " holds 3x1x1 images but the model takes 1x28x28");
  source.input_shape = Shape{3, 1, 1};
  CHECK(load_dataset(source, DatasetSplit::kTest).count == 1);

  // A split needs both files.
  write_gzip(dir.file("train-images-idx3-ubyte.gz"), idx_images(1, 1, 1, {9}));
  CHECK_FALSE(has_split(source, DatasetSplit::kTrain));
  REQUIRE_THROWS_WITH(load_dataset(source, DatasetSplit::kTrain),
                      dir.path() +
                          ": missing train-labels-idx1-ubyte.gz (or uncompressed "
                          "train-labels-idx1-ubyte)");
  // dataset_files: the training split first.
  CHECK(dataset_files(source) == std::vector<std::string>{dir.file("train-images-idx3-ubyte.gz"),
                                                          dir.file("t10k-images-idx4-ubyte"),
                                                          dir.file("t10k-labels-idx1-ubyte")});
}

TEST_CASE("a FIFO or a directory in place of a dataset file is refused without reading it",
          "[dataset]") {
  TempDir dir;
  REQUIRE(mkfifo(dir.file("t10k-images-idx3-ubyte").c_str(), 0600) == 0);
  write_plain(dir.file("t10k-labels-idx1-ubyte"), idx_labels(1, {7}));
  REQUIRE_THROWS_WITH(load_dataset(DatasetSource{dir.path()}, DatasetSplit::kTest),
                      dir.file("t10k-images-idx3-ubyte") +
                          ": not a regular file (a FIFO, device or socket is not read)");
  REQUIRE_THROWS_WITH(load_idx(dir.path(), dir.file("t10k-labels-idx1-ubyte")),
                      dir.path() + ": is a directory, expected an IDX file");
}

TEST_CASE("a directory holding no dataset files says which files it looks for", "[dataset]") {
  TempDir dir;
  write_plain(dir.file("readme.txt"), {'h', 'i'});
  REQUIRE_THROWS_WITH(load_dataset(DatasetSource{dir.path()}, DatasetSplit::kTest),
                      Contains(dir.path() + ": a directory holding neither IDX files (") &&
                          Contains("nor CIFAR-10/100 binary batches (data_batch_1.bin"));
  CHECK(dataset_files(DatasetSource{dir.path()}).empty());
  CHECK(dataset_files(DatasetSource{"no-such-dataset"}).empty());
  CHECK(dataset_files(DatasetSource{"synthetic"}).empty());
  REQUIRE_THROWS_WITH(has_split(DatasetSource{"no-such-dataset"}, DatasetSplit::kTest),
                      Contains("unknown dataset 'no-such-dataset'"));
  REQUIRE_THROWS_WITH(load_dataset(DatasetSource{"synthetc"}, DatasetSplit::kTest),
                      Contains("unknown dataset 'synthetc' (did you mean 'synthetic'?)"));
}

}  // namespace
}  // namespace safsim

namespace safsim {
namespace {

TEST_CASE("load_idx with max_images reads the first images, split_images from the header",
          "[dataset]") {
  TempDir dir;
  const bool gzip = GENERATE(false, true);
  const auto write = gzip ? write_gzip : write_plain;
  const std::string images = write(dir.file("img"), idx_images(5, 1, 2, iota_bytes(10)));
  const std::string labels = write(dir.file("lbl"), idx_labels(5, {0, 1, 2, 3, 4}));
  const Dataset two = load_idx(images, labels, 2);
  CHECK(two.count == 2);
  CHECK(two.split_images == 5);
  CHECK(two.pixels == std::vector<uint8_t>{1, 2, 3, 4});
  CHECK(two.labels == std::vector<int32_t>{0, 1});
  for (const int all : {0, 5, 9}) {
    const Dataset d = load_idx(images, labels, all);
    CHECK(d.count == 5);
    CHECK(d.split_images == 5);
    CHECK(d.pixels == iota_bytes(10));
  }
}

TEST_CASE("load_idx with max_images still refuses a file whose length is not its header's",
          "[dataset]") {
  TempDir dir;
  const std::string labels = write_plain(dir.file("labels"), idx_labels(3, {1, 2, 3}));
  const std::string images = dir.file("images");
  std::vector<uint8_t> bytes = idx_images(3, 2, 2, iota_bytes(12));
  SECTION("truncated payload, past the image asked for") {
    bytes.resize(25);
    write_plain(images, bytes);
    REQUIRE_THROWS_WITH(load_idx(images, labels, 1),
                        images + ": truncated at byte 25 of expected 28 (3 images of 2x2)");
  }
  SECTION("trailing bytes") {
    bytes.push_back(0);
    write_gzip(images, bytes);
    REQUIRE_THROWS_WITH(load_idx(images, labels, 1),
                        images + ": 1 unexpected bytes after byte 28 (end of 3 images of 2x2)");
  }
  SECTION("a cut-off gzip stream") {
    std::vector<uint8_t> big = idx_images(100, 28, 28, std::vector<uint8_t>(78400, 0));
    for (size_t i = 0; i < big.size(); ++i) {
      big[i] ^= static_cast<uint8_t>(i * 2654435761u >> 13);
    }
    write_gzip(images, big);
    std::filesystem::resize_file(images, std::filesystem::file_size(images) / 2);
    const std::string hundred = write_plain(dir.file("l100"), idx_labels(100, {}));
    REQUIRE_THROWS_WITH(load_idx(images, hundred, 1),
                        Contains(images + ": gzip error after byte "));
  }
  SECTION("label count differs") {
    write_plain(images, bytes);
    const std::string two = write_gzip(dir.file("two"), idx_labels(2, {1, 2}));
    REQUIRE_THROWS_WITH(load_idx(images, two, 1),
                        images + ": 3 images, but " + two + " has 2 labels");
  }
}

TEST_CASE("Fashion-MNIST's first 1,000 training images read alone are those of the whole split",
          "[dataset]") {
  ScopedEnv env("SAFSIM_DATA_DIR", nullptr);
  DatasetSource source{"fashion-mnist"};
  const Dataset whole = load_dataset(source, DatasetSplit::kTrain);
  source.max_images = 1000;
  const Dataset first = load_dataset(source, DatasetSplit::kTrain);
  CHECK(first.count == 1000);
  CHECK(first.split_images == 60000);
  CHECK(first.name == whole.name);
  const Dataset expected = whole.slice(0, 1000);
  CHECK(first.pixels == expected.pixels);
  CHECK(first.labels == expected.labels);
}

}  // namespace
}  // namespace safsim
