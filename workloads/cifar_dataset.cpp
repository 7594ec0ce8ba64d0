// CIFAR-10 and CIFAR-100 binary batches (https://www.cs.toronto.edu/~kriz/cifar.html): records
// of 1 label byte (CIFAR-100: coarse and fine label bytes) and 3072 pixel bytes, 3x32x32 in CHW
// order, which is the Dataset's order.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/errors.h"
#include "workloads/dataset_readers.h"

namespace safsim::dataset_readers {

namespace {

namespace fs = std::filesystem;

constexpr int kPixels = 3 * 32 * 32;
constexpr int kCifar10Batches = 5;

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec) && !fs::is_directory(p, ec);
}

CifarKind kind_of(const fs::path& dir) {
  if (is_file(dir / "test_batch.bin") || is_file(dir / "data_batch_1.bin")) {
    return CifarKind::kCifar10;
  }
  if (is_file(dir / "test.bin") || is_file(dir / "train.bin")) {
    return CifarKind::kCifar100;
  }
  return CifarKind::kNone;
}

/// Appends the first `wanted` records of one batch file to `d` (none when `wanted` <= 0: the
/// file's size is still checked and counted in d->split_images).
void read_batch(const std::string& path, CifarKind kind, int64_t wanted, Dataset* d) {
  require_regular_file(path, "a CIFAR binary batch");
  const int label_bytes = kind == CifarKind::kCifar100 ? 2 : 1;
  const int record = label_bytes + kPixels;
  const int classes = kind == CifarKind::kCifar100 ? 100 : 10;
  std::error_code ec;
  const uint64_t size = fs::file_size(path, ec);
  if (ec) {
    throw DatasetError(fmt::format("{}: cannot open: {}", path, ec.message()));
  }
  const uint64_t records = size / record;
  if (size % record != 0) {
    throw DatasetError(fmt::format("{}: truncated: {} bytes of record {} (at byte {}), expected {}",
                                   path, size % record, records, records * record, record));
  }
  if (records + d->split_images > static_cast<uint64_t>(kMaxImages)) {
    throw DatasetError(fmt::format("{}: {} records make more than {} images in the split", path,
                                   records, kMaxImages));
  }
  d->split_images += static_cast<int>(records);
  const uint64_t taken = std::min<uint64_t>(records, uint64_t(std::max<int64_t>(wanted, 0)));
  if (taken == 0) {
    return;
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    throw DatasetError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  }
  const uint64_t bytes_read = taken * record;
  std::vector<uint8_t> bytes(bytes_read);
  f.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes_read));
  if (static_cast<uint64_t>(f.gcount()) != bytes_read) {
    throw DatasetError(
        fmt::format("{}: read {} of its {} bytes", path, static_cast<uint64_t>(f.gcount()), size));
  }
  d->pixels.reserve(d->pixels.size() + taken * kPixels);
  d->labels.reserve(d->labels.size() + taken);
  for (uint64_t r = 0; r < taken; ++r) {
    const uint8_t* rec = bytes.data() + r * record;
    const int label = rec[label_bytes - 1];  // CIFAR-100: the fine label
    if (label >= classes) {
      throw DatasetError(
          fmt::format("{}: label {} of record {} (at byte {}) is not a CIFAR-{} class (0..{}){}",
                      path, label, r, r * record + label_bytes - 1, classes, classes - 1,
                      kind == CifarKind::kCifar10 ? "" : " (fine label)"));
    }
    d->labels.push_back(label);
    d->pixels.insert(d->pixels.end(), rec + label_bytes, rec + record);
  }
  d->count += static_cast<int>(taken);
}

}  // namespace

CifarKind cifar_kind(const std::string& dir, std::string* batch_dir) {
  for (const fs::path& p : {fs::path(dir), fs::path(dir) / "cifar-10-batches-bin",
                            fs::path(dir) / "cifar-100-binary"}) {
    const CifarKind k = kind_of(p);
    if (k != CifarKind::kNone) {
      *batch_dir = p.string();
      return k;
    }
  }
  return CifarKind::kNone;
}

std::vector<std::string> cifar_files(CifarKind kind, const std::string& batch_dir,
                                     DatasetSplit split) {
  const fs::path dir(batch_dir);
  std::vector<std::string> files;
  if (kind == CifarKind::kCifar100) {
    const fs::path p = dir / (split == DatasetSplit::kTrain ? "train.bin" : "test.bin");
    if (is_file(p)) {
      files.push_back(p.string());
    }
  } else if (split == DatasetSplit::kTest) {
    if (is_file(dir / "test_batch.bin")) {
      files.push_back((dir / "test_batch.bin").string());
    }
  } else {
    for (int i = 1; i <= kCifar10Batches; ++i) {
      const fs::path p = dir / fmt::format("data_batch_{}.bin", i);
      if (!is_file(p)) {
        break;  // the batches present consecutively from 1
      }
      files.push_back(p.string());
    }
  }
  return files;
}

Dataset load_cifar(const DatasetSource& source, CifarKind kind, const std::string& batch_dir,
                   DatasetSplit split) {
  const std::vector<std::string> files = cifar_files(kind, batch_dir, split);
  if (files.empty()) {
    const char* wanted =
        kind == CifarKind::kCifar100
            ? (split == DatasetSplit::kTrain ? "train.bin" : "test.bin")
            : (split == DatasetSplit::kTrain ? "data_batch_1.bin" : "test_batch.bin");
    throw DatasetError(fmt::format("{}: missing {} (the CIFAR-{} {} split)", batch_dir, wanted,
                                   kind == CifarKind::kCifar100 ? 100 : 10,
                                   split == DatasetSplit::kTrain ? "training" : "test"));
  }
  Dataset d;
  d.shape = Shape{3, 32, 32};
  check_input_shape(source, d.shape, files.front());
  for (const std::string& f : files) {
    // Past the images asked for, a batch is only sized: 4 of CIFAR-10's 5 training batches
    // (120 MB) are never read for 1,000 calibration images.
    const int64_t wanted = source.max_images > 0 ? source.max_images - d.count : kMaxImages;
    read_batch(f, kind, wanted, &d);
  }
  return d;
}

}  // namespace safsim::dataset_readers
