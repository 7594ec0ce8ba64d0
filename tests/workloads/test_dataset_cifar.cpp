// CIFAR-10 and CIFAR-100 binary batches: tiny batch files written here.
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "base/errors.h"
#include "tests/support/onnx_builder.h"
#include "workloads/dataset.h"

namespace safsim {
namespace {

using Catch::Contains;
using test::TempDir;

constexpr int kPixels = 3072;

/// `labels.size()` records: the label bytes, then 3072 pixels, pixel j of record r = r + j.
std::string write_batch(const std::string& path, const std::vector<std::vector<uint8_t>>& labels) {
  std::ofstream f(path, std::ios::binary);
  for (size_t r = 0; r < labels.size(); ++r) {
    for (uint8_t l : labels[r]) {
      f.put(static_cast<char>(l));
    }
    for (int j = 0; j < kPixels; ++j) {
      f.put(static_cast<char>(r + j));
    }
  }
  return path;
}

TEST_CASE("CIFAR-10: test_batch.bin and data_batch_1.bin onwards, 3x32x32 in CHW order",
          "[dataset][cifar]") {
  TempDir dir;
  const std::string test = write_batch(dir.file("test_batch.bin"), {{3}, {9}});
  const std::string b1 = write_batch(dir.file("data_batch_1.bin"), {{1}});
  const std::string b2 = write_batch(dir.file("data_batch_2.bin"), {{2}, {0}});
  write_batch(dir.file("data_batch_4.bin"), {{4}});  // not consecutive from 1: not read
  DatasetSource source{dir.path()};
  source.input_shape = Shape{3, 32, 32};

  const Dataset t = load_dataset(source, DatasetSplit::kTest);
  CHECK(t.name == dir.path());
  CHECK(t.shape == Shape{3, 32, 32});
  REQUIRE(t.count == 2);
  CHECK(t.labels == std::vector<int32_t>{3, 9});
  CHECK(t.image(1)[0] == 1);
  CHECK(t.image(1)[1024] == static_cast<uint8_t>(1 + 1024));  // channel 1 starts at 1024

  const Dataset train = load_dataset(source, DatasetSplit::kTrain);
  CHECK(train.count == 3);
  CHECK(train.labels == std::vector<int32_t>{1, 2, 0});
  CHECK(train.image(2)[5] == 6);  // record 1 of data_batch_2

  CHECK(has_split(source, DatasetSplit::kTest));
  CHECK(has_split(source, DatasetSplit::kTrain));
  CHECK(dataset_files(source) == std::vector<std::string>{b1, b2, test});

  source.input_shape = Shape{1, 28, 28};
  REQUIRE_THROWS_WITH(load_dataset(source, DatasetSplit::kTest),
                      test + " holds 3x32x32 images but the model takes 1x28x28");
}

TEST_CASE(
    "CIFAR-10: the directory holding cifar-10-batches-bin/ is taken too, a split may be "
    "missing",
    "[dataset][cifar]") {
  TempDir dir;
  std::filesystem::create_directory(dir.file("cifar-10-batches-bin"));
  const std::string test = write_batch(dir.file("cifar-10-batches-bin/test_batch.bin"), {{5}});
  const DatasetSource source{dir.path()};
  CHECK(load_dataset(source, DatasetSplit::kTest).labels == std::vector<int32_t>{5});
  CHECK_FALSE(has_split(source, DatasetSplit::kTrain));
  REQUIRE_THROWS_WITH(load_dataset(source, DatasetSplit::kTrain),
                      dir.file("cifar-10-batches-bin") +
                          ": missing data_batch_1.bin (the CIFAR-10 training split)");
  CHECK(dataset_files(source) == std::vector<std::string>{test});
}

TEST_CASE("CIFAR-100: train.bin and test.bin with coarse and fine labels, the fine one is taken",
          "[dataset][cifar]") {
  TempDir dir;
  write_batch(dir.file("train.bin"), {{1, 42}, {19, 99}});
  write_batch(dir.file("test.bin"), {{0, 7}});
  const DatasetSource source{dir.path()};
  const Dataset train = load_dataset(source, DatasetSplit::kTrain);
  CHECK(train.count == 2);
  CHECK(train.labels == std::vector<int32_t>{42, 99});
  CHECK(train.image(1)[0] == 1);
  CHECK(load_dataset(source, DatasetSplit::kTest).labels == std::vector<int32_t>{7});
  CHECK(dataset_files(source) ==
        std::vector<std::string>{dir.file("train.bin"), dir.file("test.bin")});
}

TEST_CASE("CIFAR errors: a truncated batch names the record and byte, a label out of range",
          "[dataset][cifar]") {
  TempDir dir;
  const std::string test = write_batch(dir.file("test_batch.bin"), {{1}, {2}});
  const DatasetSource source{dir.path()};
  SECTION("truncated") {
    std::filesystem::resize_file(test, 3073 + 1234);
    REQUIRE_THROWS_WITH(load_dataset(source, DatasetSplit::kTest),
                        test + ": truncated: 1234 bytes of record 1 (at byte 3073), expected 3073");
  }
  SECTION("a label that is no CIFAR-10 class") {
    write_batch(test, {{1}, {10}});
    REQUIRE_THROWS_WITH(
        load_dataset(source, DatasetSplit::kTest),
        test + ": label 10 of record 1 (at byte 3073) is not a CIFAR-10 class (0..9)");
  }
  SECTION("CIFAR-100 records are 3074 bytes, fine labels below 100") {
    std::filesystem::remove(test);
    const std::string c100 = write_batch(dir.file("test.bin"), {{1, 100}});
    REQUIRE_THROWS_WITH(load_dataset(source, DatasetSplit::kTest),
                        c100 +
                            ": label 100 of record 0 (at byte 1) is not a CIFAR-100 class (0..99) "
                            "(fine label)");
    std::filesystem::resize_file(c100, 3073);
    REQUIRE_THROWS_WITH(load_dataset(source, DatasetSplit::kTest),
                        c100 + ": truncated: 3073 bytes of record 0 (at byte 0), expected 3074");
  }
  SECTION("a directory in place of a batch") {
    std::filesystem::remove(test);
    std::filesystem::create_directory(test);
    write_batch(dir.file("data_batch_1.bin"), {{1}});
    CHECK(load_dataset(source, DatasetSplit::kTrain).count == 1);
    CHECK_FALSE(has_split(source, DatasetSplit::kTest));
    REQUIRE_THROWS_WITH(load_dataset(source, DatasetSplit::kTest),
                        dir.path() + ": missing test_batch.bin (the CIFAR-10 test split)");
  }
}

TEST_CASE("CIFAR with max_images reads the first records only, every batch still sized",
          "[dataset][cifar]") {
  TempDir dir;
  write_batch(dir.file("test_batch.bin"), {{3}, {9}});
  write_batch(dir.file("data_batch_1.bin"), {{1}, {5}});
  const std::string b2 = write_batch(dir.file("data_batch_2.bin"), {{2}, {0}, {7}});
  DatasetSource source{dir.path()};
  source.max_images = 3;
  const Dataset train = load_dataset(source, DatasetSplit::kTrain);
  CHECK(train.count == 3);
  CHECK(train.split_images == 5);
  CHECK(train.labels == std::vector<int32_t>{1, 5, 2});
  source.max_images = 0;
  CHECK(load_dataset(source, DatasetSplit::kTrain).slice(0, 3).pixels == train.pixels);
  source.max_images = 1;
  std::filesystem::resize_file(b2, 2 * (1 + kPixels) + 5);  // a batch never read is still sized
  REQUIRE_THROWS_WITH(load_dataset(source, DatasetSplit::kTrain), Contains(b2 + ": truncated"));
}

}  // namespace
}  // namespace safsim
