// IDX dataset reader (big-endian header, uint8 payload), gzip or plain, via zlib.
#include "workloads/dataset.h"

#include <fmt/format.h>
#include <zlib.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "base/did_you_mean.h"
#include "base/errors.h"

namespace safsim {

namespace {

constexpr uint32_t kImageMagic = 0x00000803;  // unsigned byte, 3 dimensions
constexpr uint32_t kLabelMagic = 0x00000801;  // unsigned byte, 1 dimension
constexpr size_t kImageHeaderBytes = 16;      // magic, count, rows, cols
constexpr size_t kLabelHeaderBytes = 8;       // magic, count
constexpr const char* kFashionMnist = "fashion-mnist";
constexpr const char* kInstallHint =
    "install Fashion-MNIST with 'apt-get install dataset-fashion-mnist' or set SAFSIM_DATA_DIR";

uint32_t read_be32(const std::vector<uint8_t>& d, size_t offset);

/// The size an IDX file's header announces: header + payload bytes, or just the header when the
/// magic number is wrong (the caller's checks then name the problem).
uint64_t idx_total_bytes(const std::vector<uint8_t>& head, uint32_t magic) {
  if (magic == kImageMagic && head.size() >= kImageHeaderBytes && read_be32(head, 0) == magic) {
    return kImageHeaderBytes +
           uint64_t{read_be32(head, 4)} * read_be32(head, 8) * read_be32(head, 12);
  }
  if (magic == kLabelMagic && head.size() >= kLabelHeaderBytes && read_be32(head, 0) == magic) {
    return kLabelHeaderBytes + uint64_t{read_be32(head, 4)};
  }
  return kImageHeaderBytes;
}

/// The (decompressed) file; gzread passes plain files through unchanged. Reading stops one
/// chunk past the size the header announces, so a gzip bomb or /dev/zero-like input is refused
/// after its header instead of being inflated whole; only regular files are read (a FIFO would
/// block).
std::vector<uint8_t> read_file(const std::string& path, uint32_t magic) {
  if (std::filesystem::is_directory(path)) {
    throw DatasetError(fmt::format("{}: is a directory, expected an IDX file", path));
  }
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec)) {
    throw DatasetError(
        fmt::format("{}: not a regular file (a FIFO, device or socket is not read)", path));
  }
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
    if (limit == UINT64_MAX && data.size() >= kImageHeaderBytes) {
      limit = idx_total_bytes(data, magic) + chunk.size();
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

uint32_t read_be32(const std::vector<uint8_t>& d, size_t offset) {
  return uint32_t{d[offset]} << 24 | uint32_t{d[offset + 1]} << 16 | uint32_t{d[offset + 2]} << 8 |
         uint32_t{d[offset + 3]};
}

void require_bytes(const std::string& path, const std::vector<uint8_t>& d, size_t expected,
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

void check_magic(const std::string& path, const std::vector<uint8_t>& d, uint32_t expected,
                 const char* kind) {
  require_bytes(path, d, 4, "IDX magic number");
  const uint32_t magic = read_be32(d, 0);
  if (magic == expected) {
    return;
  }
  std::string hint;
  if (magic == kImageMagic || magic == kLabelMagic) {
    hint = magic == kImageMagic ? " (an image file?)" : " (a label file?)";
  }
  throw DatasetError(
      fmt::format("{}: not an IDX {} file: magic number 0x{:08x} at byte 0{}, expected 0x{:08x}",
                  path, kind, magic, hint, expected));
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

std::string find_idx(const std::string& dir, const std::string& base, const std::string& hint) {
  std::string path = idx_file(dir, base);
  if (path.empty()) {
    throw DatasetError(
        fmt::format("{}: missing {}.gz (or uncompressed {}){}", dir, base, base, hint));
  }
  return path;
}

constexpr const char* kIdxFiles[] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                     "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

std::string fashion_mnist_dir() {
  const char* root = std::getenv("SAFSIM_DATA_DIR");
  if (root != nullptr && *root != '\0') {
    return (std::filesystem::path(root) / kFashionMnist).string();
  }
  return std::string("/usr/share/datasets/") + kFashionMnist;
}

/// The directory `name_or_dir` stands for.
std::string dataset_dir(const std::string& name_or_dir) {
  return name_or_dir == kFashionMnist ? fashion_mnist_dir() : name_or_dir;
}

}  // namespace

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
  s.pixels.assign(image(first), image(first) + int64_t{taken} * shape.size());
  s.labels.assign(labels.begin() + first, labels.begin() + first + taken);
  return s;
}

Dataset load_idx(const std::string& images_path, const std::string& labels_path) {
  std::vector<uint8_t> images = read_file(images_path, kImageMagic);
  check_magic(images_path, images, kImageMagic, "image");
  require_bytes(images_path, images, kImageHeaderBytes, "IDX image header");
  const uint32_t count = read_be32(images, 4);
  const uint32_t rows = read_be32(images, 8);
  const uint32_t cols = read_be32(images, 12);
  if (rows == 0 || cols == 0 || rows > 65536 || cols > 65536 || count > (1u << 30)) {
    throw DatasetError(fmt::format("{}: implausible IDX image header at byte 4: {} images of {}x{}",
                                   images_path, count, rows, cols));
  }
  check_length(images_path, images, kImageHeaderBytes, uint64_t{count} * rows * cols,
               fmt::format("{} images of {}x{}", count, rows, cols));

  std::vector<uint8_t> labels = read_file(labels_path, kLabelMagic);
  check_magic(labels_path, labels, kLabelMagic, "label");
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
  d.shape = Shape{1, static_cast<int>(rows), static_cast<int>(cols)};
  d.count = static_cast<int>(count);
  d.pixels.assign(images.begin() + kImageHeaderBytes, images.end());
  d.labels.assign(labels.begin() + kLabelHeaderBytes, labels.end());
  return d;
}

Dataset load_dataset(const std::string& name_or_dir, DatasetSplit split) {
  const std::string dir = dataset_dir(name_or_dir);
  std::string hint;
  if (name_or_dir == kFashionMnist) {
    hint = std::string("; ") + kInstallHint;
    if (!std::filesystem::is_directory(dir)) {
      throw DatasetError(
          fmt::format("dataset '{}': directory {} not found{}", name_or_dir, dir, hint));
    }
  } else if (!std::filesystem::is_directory(name_or_dir)) {
    const std::string guess = did_you_mean(name_or_dir, {kFashionMnist});
    throw DatasetError(fmt::format(
        "unknown dataset '{}'{}: expected one of: {}, or a directory holding "
        "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and "
        "t10k-labels-idx1-ubyte.gz; {}",
        name_or_dir, guess.empty() ? "" : fmt::format(" (did you mean '{}'?)", guess),
        kFashionMnist, kInstallHint));
  }
  const std::string prefix = split == DatasetSplit::kTrain ? "train" : "t10k";
  const std::string images = find_idx(dir, prefix + "-images-idx3-ubyte", hint);
  const std::string labels = find_idx(dir, prefix + "-labels-idx1-ubyte", hint);
  Dataset d = load_idx(images, labels);
  d.name = name_or_dir;
  return d;
}

std::vector<std::string> dataset_files(const std::string& name_or_dir) {
  std::vector<std::string> files;
  for (const char* base : kIdxFiles) {
    std::string path = idx_file(dataset_dir(name_or_dir), base);
    if (!path.empty()) {
      files.push_back(std::move(path));
    }
  }
  return files;
}

}  // namespace safsim
