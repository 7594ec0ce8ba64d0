// Which reader a dataset name stands for, Dataset::slice, the checks the readers share, and the
// IDX reader (Fashion-MNIST and IDX directories: big-endian header, uint8 payload, gzip or
// plain, via zlib).
#include "workloads/dataset.h"

#include <fmt/format.h>
#include <zlib.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "base/did_you_mean.h"
#include "base/errors.h"
#include "workloads/dataset_readers.h"

namespace safsim {

namespace dataset_readers {

std::string shape_text(const Shape& s) { return fmt::format("{}x{}x{}", s.c, s.h, s.w); }

void check_input_shape(const DatasetSource& source, const Shape& got, const std::string& what) {
  if (source.input_shape.c > 0 && got != source.input_shape) {
    throw DatasetError(fmt::format("{} holds {} images but the model takes {}", what,
                                   shape_text(got), shape_text(source.input_shape)));
  }
}

bool idx_image_header_plausible(uint32_t count, uint32_t channels, uint32_t rows, uint32_t cols) {
  if (rows == 0 || cols == 0 || channels == 0 || rows > 65536 || cols > 65536 || channels > 65536 ||
      count > (1u << 30)) {
    return false;
  }
  const uint64_t pixels = uint64_t{channels} * rows * cols;  // each at most 2^16: no overflow
  return count <= kMaxPayloadBytes / pixels;
}

void require_regular_file(const std::string& path, const std::string& expected) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw DatasetError(fmt::format("{}: is a directory, expected {}", path, expected));
  }
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec)) {
    throw DatasetError(
        fmt::format("{}: not a regular file (a FIFO, device or socket is not read)", path));
  }
}

}  // namespace dataset_readers

namespace {

using dataset_readers::CifarKind;

using dataset_readers::kImageMagic3;
using dataset_readers::kImageMagic4;
using dataset_readers::kLabelHeaderBytes;
using dataset_readers::kLabelMagic;
constexpr size_t kMaxIdxHeaderBytes = 20;  // magic and 4 dimensions
constexpr const char* kFashionMnist = "fashion-mnist";
constexpr const char* kSyntheticName = "synthetic";
constexpr const char* kInstallHint =
    "install Fashion-MNIST with 'apt-get install dataset-fashion-mnist' or set SAFSIM_DATA_DIR";
constexpr const char* kIdxNames =
    "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and "
    "t10k-labels-idx1-ubyte.gz; idx4-ubyte images and uncompressed files too";
constexpr const char* kCifarNames =
    "data_batch_1.bin ... data_batch_5.bin and test_batch.bin, or train.bin and test.bin of "
    "CIFAR-100, or their cifar-10-batches-bin/ or cifar-100-binary/ directory";

uint32_t read_be32(const std::vector<uint8_t>& d, size_t offset) {
  return uint32_t{d[offset]} << 24 | uint32_t{d[offset + 1]} << 16 | uint32_t{d[offset + 2]} << 8 |
         uint32_t{d[offset + 3]};
}

uint64_t saturating_mul(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

/// The bytes an IDX header announces: header + payload, saturating; just the header when the
/// magic number is not one of an unsigned-byte IDX file (the caller's checks name the problem).
uint64_t idx_total_bytes(const std::vector<uint8_t>& head) {
  const uint32_t magic = read_be32(head, 0);
  const uint32_t dims = magic & 0xff;
  if ((magic >> 8) != 0x08 || dims < 1 || dims > 4) {
    return kMaxIdxHeaderBytes;
  }
  uint64_t total = 1;
  for (uint32_t i = 0; i < dims; ++i) {
    total = saturating_mul(total, read_be32(head, 4 + 4 * i));
  }
  const uint64_t header = 4 + 4 * dims;
  return total > UINT64_MAX - header ? UINT64_MAX : total + header;
}

/// The (decompressed) file; gzread passes plain files through unchanged. Reading stops one
/// chunk past the size the header announces, so a gzip bomb or /dev/zero-like input is refused
/// after its header instead of being inflated whole; only regular files are read (a FIFO would
/// block).
std::vector<uint8_t> read_file(const std::string& path) {
  dataset_readers::require_regular_file(path, "an IDX file");
  errno = 0;
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) {
    throw DatasetError(fmt::format("{}: cannot open: {}", path,
                                   errno != 0 ? std::strerror(errno) : "out of memory"));
  }
  std::vector<uint8_t> data;
  std::vector<uint8_t> chunk(1 << 16);
  uint64_t limit = UINT64_MAX;
  for (;;) {
    const int n = gzread(f, chunk.data(), static_cast<unsigned>(chunk.size()));
    if (n <= 0) {
      break;
    }
    data.insert(data.end(), chunk.begin(), chunk.begin() + n);
    if (limit == UINT64_MAX && data.size() >= kMaxIdxHeaderBytes) {
      const uint64_t total = idx_total_bytes(data);
      limit = total > UINT64_MAX - chunk.size() - 1 ? UINT64_MAX - 1 : total + chunk.size();
    }
    if (data.size() > limit) {
      break;  // check_length reports the bytes past the announced end
    }
  }
  // A truncated gzip stream ends the loop like EOF does; only gzerror tells them apart.
  int err = Z_OK;
  const std::string msg = gzerror(f, &err);
  gzclose(f);
  if (err != Z_OK) {
    throw DatasetError(fmt::format("{}: gzip error after byte {} of decompressed data: {}", path,
                                   data.size(), msg));
  }
  return data;
}

void require_bytes(const std::string& path, const std::vector<uint8_t>& d, uint64_t expected,
                   const std::string& what) {
  if (d.size() < expected) {
    throw DatasetError(fmt::format("{}: truncated at byte {} of expected {} ({})", path, d.size(),
                                   expected, what));
  }
}

/// Checks that the file is exactly header + payload bytes long.
void check_length(const std::string& path, const std::vector<uint8_t>& d, size_t header_bytes,
                  uint64_t payload_bytes, const std::string& what) {
  const uint64_t expected = header_bytes + payload_bytes;
  require_bytes(path, d, expected, what);
  if (d.size() > expected) {
    throw DatasetError(fmt::format("{}: {} unexpected bytes after byte {} (end of {})", path,
                                   d.size() - expected, expected, what));
  }
}

/// Checks the magic number is one of `expected` (one or two of them).
void check_magic(const std::string& path, const std::vector<uint8_t>& d,
                 const std::vector<uint32_t>& expected, const char* kind) {
  require_bytes(path, d, 4, "IDX magic number");
  const uint32_t magic = read_be32(d, 0);
  for (uint32_t e : expected) {
    if (magic == e) {
      return;
    }
  }
  std::string hint;
  if (magic == kLabelMagic) {
    hint = " (a label file?)";
  } else if (magic == kImageMagic3 || magic == kImageMagic4) {
    hint = " (an image file?)";
  } else if ((magic >> 16) == 0 && (magic & 0xff) >= 1 && (magic & 0xff) <= 4) {
    hint = fmt::format(" (IDX of element type 0x{:02x}; only unsigned bytes, 0x08, are read)",
                       (magic >> 8) & 0xff);
  }
  std::string wanted = fmt::format("0x{:08x}", expected[0]);
  if (expected.size() > 1) {
    wanted += fmt::format(" or 0x{:08x}", expected[1]);
  }
  throw DatasetError(
      fmt::format("{}: not an IDX {} file: magic number 0x{:08x} at byte 0{}, expected {}", path,
                  kind, magic, hint, wanted));
}

/// `<dir>/<base>.gz`, or the uncompressed `<dir>/<base>` when only that exists; empty when
/// neither does.
std::string idx_file(const std::string& dir, const std::string& base) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const fs::path& p : {fs::path(dir) / (base + ".gz"), fs::path(dir) / base}) {
    if (fs::exists(p, ec)) {
      return p.string();
    }
  }
  return "";
}

const char* split_prefix(DatasetSplit split) {
  return split == DatasetSplit::kTrain ? "train" : "t10k";
}

/// The image file of a split (3 or 4 dimensions); empty when there is none.
std::string idx_images_file(const std::string& dir, DatasetSplit split) {
  const std::string prefix = split_prefix(split);
  std::string path = idx_file(dir, prefix + "-images-idx3-ubyte");
  return path.empty() ? idx_file(dir, prefix + "-images-idx4-ubyte") : path;
}

std::string idx_labels_file(const std::string& dir, DatasetSplit split) {
  return idx_file(dir, std::string(split_prefix(split)) + "-labels-idx1-ubyte");
}

bool has_idx_files(const std::string& dir) {
  for (DatasetSplit s : {DatasetSplit::kTrain, DatasetSplit::kTest}) {
    if (!idx_images_file(dir, s).empty() || !idx_labels_file(dir, s).empty()) {
      return true;
    }
  }
  return false;
}

std::string fashion_mnist_dir() {
  const char* root = std::getenv("SAFSIM_DATA_DIR");
  if (root != nullptr && *root != '\0') {
    return (std::filesystem::path(root) / kFashionMnist).string();
  }
  return std::string("/usr/share/datasets/") + kFashionMnist;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// What a dataset name stands for.
struct Resolved {
  enum class Kind {
    kIdx,
    kNpz,
    kCifar,
    kSynthetic,
    kUnrecognizedDir,
    kMissingFashionMnist,
    kUnknown
  };
  Kind kind = Kind::kUnknown;
  std::string path;  // the IDX or CIFAR directory, or the .npz file
  CifarKind cifar = CifarKind::kNone;
};

/// Classifies `name` without throwing (dataset_files() and the error messages use it).
Resolved classify(const std::string& name) {
  namespace fs = std::filesystem;
  std::error_code ec;
  Resolved r;
  r.path = name;
  if (name == kSyntheticName) {
    r.kind = Resolved::Kind::kSynthetic;
  } else if (name == kFashionMnist) {
    r.path = fashion_mnist_dir();
    r.kind =
        fs::is_directory(r.path, ec) ? Resolved::Kind::kIdx : Resolved::Kind::kMissingFashionMnist;
  } else if (fs::is_directory(name, ec)) {
    if (has_idx_files(name)) {
      r.kind = Resolved::Kind::kIdx;
    } else if ((r.cifar = dataset_readers::cifar_kind(name, &r.path)) != CifarKind::kNone) {
      r.kind = Resolved::Kind::kCifar;
    } else {
      r.kind = Resolved::Kind::kUnrecognizedDir;
    }
  } else if (ends_with(name, ".npz") || fs::exists(name, ec)) {
    r.kind = Resolved::Kind::kNpz;
  }
  return r;
}

/// Classifies `source.name`, throwing for a name that stands for nothing readable.
Resolved resolve(const std::string& name) {
  Resolved r = classify(name);
  switch (r.kind) {
    case Resolved::Kind::kMissingFashionMnist:
      throw DatasetError(
          fmt::format("dataset '{}': directory {} not found; {}", name, r.path, kInstallHint));
    case Resolved::Kind::kUnrecognizedDir:
      throw DatasetError(fmt::format(
          "{}: a directory holding neither IDX files ({}) nor CIFAR-10/100 binary batches ({})",
          name, kIdxNames, kCifarNames));
    case Resolved::Kind::kUnknown: {
      const std::string guess = did_you_mean(name, {kFashionMnist, kSyntheticName});
      throw DatasetError(fmt::format(
          "unknown dataset '{}'{}: expected one of: {}, {}, an .npz file, or a directory holding "
          "IDX files ({}) or CIFAR-10/100 binary batches ({}); {}",
          name, guess.empty() ? "" : fmt::format(" (did you mean '{}'?)", guess), kFashionMnist,
          kSyntheticName, kIdxNames, kCifarNames, kInstallHint));
    }
    default:
      return r;
  }
}

Dataset load_idx_split(const std::string& name, const std::string& dir, DatasetSplit split,
                       int max_images) {
  const std::string hint = name == kFashionMnist ? std::string("; ") + kInstallHint : "";
  const std::string prefix = split_prefix(split);
  const std::string images = idx_images_file(dir, split);
  if (images.empty()) {
    throw DatasetError(
        fmt::format("{}: missing {}-images-idx3-ubyte.gz (or uncompressed {}-images-idx3-ubyte, or "
                    "{}-images-idx4-ubyte[.gz]){}",
                    dir, prefix, prefix, prefix, hint));
  }
  const std::string labels = idx_labels_file(dir, split);
  if (labels.empty()) {
    throw DatasetError(
        fmt::format("{}: missing {}-labels-idx1-ubyte.gz (or uncompressed {}-labels-idx1-ubyte){}",
                    dir, prefix, prefix, hint));
  }
  Dataset d = load_idx(images, labels, max_images);
  d.name = name;
  return d;
}

}  // namespace

std::string dataset_dir(const std::string& name_or_dir) {
  return name_or_dir == kFashionMnist ? fashion_mnist_dir() : name_or_dir;
}

Dataset Dataset::slice(int first, int n) const {
  if (first < 0 || first > count || n < 0) {
    throw DatasetError(fmt::format("{}: cannot take {} images from image {}: the dataset has {}",
                                   name, n, first, count));
  }
  const int available = count - first;
  const int taken = (n == 0 || n > available) ? available : n;
  Dataset s;
  s.name = name;
  s.shape = shape;
  s.count = taken;
  s.first_index = first_index + first;
  s.split_images = split_images;
  s.pixels.assign(image(first), image(first) + int64_t{taken} * shape.size());
  if (!labels.empty()) {
    s.labels.assign(labels.begin() + first, labels.begin() + first + taken);
  }
  s.value_scale = value_scale;
  s.value_shift = value_shift;
  return s;
}

Dataset load_idx(const std::string& images_path, const std::string& labels_path, int max_images) {
  if (std::optional<Dataset> d =
          dataset_readers::load_idx_prefix(images_path, labels_path, max_images)) {
    return std::move(*d);
  }
  std::vector<uint8_t> images = read_file(images_path);
  check_magic(images_path, images, {kImageMagic3, kImageMagic4}, "image");
  const bool four = read_be32(images, 0) == kImageMagic4;
  const size_t header = four ? 20 : 16;
  require_bytes(images_path, images, header, "IDX image header");
  const uint32_t count = read_be32(images, 4);
  const uint32_t channels = four ? read_be32(images, 8) : 1;
  const uint32_t rows = read_be32(images, header - 8);
  const uint32_t cols = read_be32(images, header - 4);
  const std::string dims =
      four ? fmt::format("{}x{}x{}", channels, rows, cols) : fmt::format("{}x{}", rows, cols);
  if (!dataset_readers::idx_image_header_plausible(count, channels, rows, cols)) {
    throw DatasetError(fmt::format("{}: implausible IDX image header at byte 4: {} images of {}",
                                   images_path, count, dims));
  }
  const uint64_t payload = uint64_t{count} * channels * rows * cols;
  check_length(images_path, images, header, payload, fmt::format("{} images of {}", count, dims));

  std::vector<uint8_t> labels = read_file(labels_path);
  check_magic(labels_path, labels, {kLabelMagic}, "label");
  require_bytes(labels_path, labels, kLabelHeaderBytes, "IDX label header");
  const uint32_t label_count = read_be32(labels, 4);
  check_length(labels_path, labels, kLabelHeaderBytes, label_count,
               fmt::format("{} labels", label_count));
  if (label_count != count) {
    throw DatasetError(fmt::format("{}: {} images, but {} has {} labels", images_path, count,
                                   labels_path, label_count));
  }

  Dataset d;
  d.name = images_path;
  d.shape = Shape{static_cast<int>(channels), static_cast<int>(rows), static_cast<int>(cols)};
  d.count = static_cast<int>(count);
  d.pixels.assign(images.begin() + header, images.end());
  d.labels.assign(labels.begin() + kLabelHeaderBytes, labels.end());
  d.split_images = d.count;
  return max_images > 0 && max_images < d.count ? d.slice(0, max_images) : d;
}

Dataset load_dataset(const DatasetSource& source, DatasetSplit split) {
  const Resolved r = resolve(source.name);
  Dataset d;
  switch (r.kind) {
    case Resolved::Kind::kSynthetic: {
      Dataset s = dataset_readers::load_synthetic(source, split);
      s.split_images = s.count;
      return s;
    }
    case Resolved::Kind::kNpz:
      d = dataset_readers::load_npz(source, r.path, split);
      break;
    case Resolved::Kind::kCifar:
      d = dataset_readers::load_cifar(source, r.cifar, r.path, split);
      break;
    default: {
      d = load_idx_split(source.name, r.path, split, source.max_images);
      dataset_readers::check_input_shape(source, d.shape, idx_images_file(r.path, split));
    }
  }
  d.name = source.name;
  d.first_index = 0;
  if (d.split_images == 0) {
    d.split_images = d.count;  // a reader that read the whole split
  }
  if (source.max_images > 0 && source.max_images < d.count) {
    d = d.slice(0, source.max_images);
  }
  return d;
}

bool has_split(const DatasetSource& source, DatasetSplit split) {
  const Resolved r = resolve(source.name);
  switch (r.kind) {
    case Resolved::Kind::kSynthetic:
      return true;
    case Resolved::Kind::kNpz:
      return dataset_readers::npz_has_split(r.path, split);
    case Resolved::Kind::kCifar:
      return !dataset_readers::cifar_files(r.cifar, r.path, split).empty();
    default:
      return !idx_images_file(r.path, split).empty() && !idx_labels_file(r.path, split).empty();
  }
}

std::vector<std::string> dataset_files(const DatasetSource& source) {
  const Resolved r = classify(source.name);
  std::vector<std::string> files;
  switch (r.kind) {
    case Resolved::Kind::kNpz:
      files.push_back(r.path);
      break;
    case Resolved::Kind::kCifar:
      for (DatasetSplit s : {DatasetSplit::kTrain, DatasetSplit::kTest}) {
        for (std::string& f : dataset_readers::cifar_files(r.cifar, r.path, s)) {
          files.push_back(std::move(f));
        }
      }
      break;
    case Resolved::Kind::kIdx:
      for (DatasetSplit s : {DatasetSplit::kTrain, DatasetSplit::kTest}) {
        for (std::string f : {idx_images_file(r.path, s), idx_labels_file(r.path, s)}) {
          if (!f.empty()) {
            files.push_back(std::move(f));
          }
        }
      }
      break;
    default:
      break;
  }
  return files;
}

}  // namespace safsim
