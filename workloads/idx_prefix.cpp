// Reading only the first images of an IDX split: a 1-image run need not inflate the 60,000
// training images of Fashion-MNIST (47 MB) to calibrate on 1,000 of them. The images land
// straight in the Dataset, with no intermediate copy of the file. The length the header
// announces is still checked before anything is allocated, against the gzip trailer (ISIZE:
// the uncompressed length mod 2^32) or a plain file's size, so a truncated or padded file is
// refused as load_idx() refuses it; only corruption inside the bytes never read goes unseen,
// as it changes nothing read. Whatever is not as expected returns nullopt: load_idx() then
// reads the whole files and its checks name the problem.
#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>

#include "workloads/dataset_readers.h"

namespace safsim::dataset_readers {
namespace {

uint32_t be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

/// The uncompressed length of the gzip file `path` mod 2^32, from its last 4 bytes (little
/// endian). A multi-member file holds the last member's only: it then mismatches, and the
/// caller reads the whole file.
bool gzip_trailer_length(const std::string& path, uint32_t* length) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return false;
  }
  uint8_t t[4];
  const bool ok = std::fseek(f, -4, SEEK_END) == 0 && std::fread(t, 1, 4, f) == 4;
  std::fclose(f);
  *length = uint32_t{t[0]} | uint32_t{t[1]} << 8 | uint32_t{t[2]} << 16 | uint32_t{t[3]} << 24;
  return ok;
}

/// One IDX file read front to back, gzip or plain.
class IdxStream {
 public:
  explicit IdxStream(const std::string& path) : path_(path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {  // a FIFO would block
      size_ = uint64_t(st.st_size);
      f_ = gzopen(path.c_str(), "rb");
    }
  }
  ~IdxStream() {
    if (f_ != nullptr) {
      gzclose(f_);
    }
  }
  IdxStream(const IdxStream&) = delete;
  IdxStream& operator=(const IdxStream&) = delete;

  bool ok() const { return f_ != nullptr; }

  /// Reads exactly `n` bytes.
  bool read(void* out, uint64_t n) {
    auto* p = static_cast<uint8_t*>(out);
    while (n > 0) {
      const unsigned want = static_cast<unsigned>(std::min<uint64_t>(n, 1u << 30));
      const int got = gzread(f_, p, want);
      if (got <= 0) {
        return false;
      }
      p += got;
      n -= uint64_t(got);
    }
    return true;
  }

  /// True when the whole (decompressed) file is `bytes` long.
  bool length_is(uint64_t bytes) {
    if (gzdirect(f_) != 0) {
      return size_ == bytes;
    }
    uint32_t trailer = 0;
    return gzip_trailer_length(path_, &trailer) && trailer == uint32_t(bytes);
  }

  /// True at a clean end of file: nothing left, and the gzip check sum verified.
  bool at_clean_end() {
    uint8_t extra;
    int err = Z_OK;
    const bool eof = gzread(f_, &extra, 1) == 0;
    gzerror(f_, &err);
    return eof && err == Z_OK;
  }

 private:
  std::string path_;
  uint64_t size_ = 0;
  gzFile f_ = nullptr;
};

}  // namespace

std::optional<Dataset> load_idx_prefix(const std::string& images_path,
                                       const std::string& labels_path, int max_images) {
  IdxStream images(images_path);
  IdxStream labels(labels_path);
  uint8_t head[20];
  if (!images.ok() || !labels.ok() || !images.read(head, 4)) {
    return std::nullopt;
  }
  const uint32_t magic = be32(head);
  if (magic != kImageMagic3 && magic != kImageMagic4) {
    return std::nullopt;
  }
  const bool four = magic == kImageMagic4;
  const uint64_t header = four ? 20 : 16;
  if (!images.read(head + 4, header - 4)) {
    return std::nullopt;
  }
  const uint32_t count = be32(head + 4);
  const uint32_t channels = four ? be32(head + 8) : 1;
  const uint32_t rows = be32(head + header - 8);
  const uint32_t cols = be32(head + header - 4);
  if (!idx_image_header_plausible(count, channels, rows, cols)) {
    return std::nullopt;
  }
  const uint64_t image_bytes = uint64_t{channels} * rows * cols;
  uint8_t label_head[kLabelHeaderBytes];
  if (!images.length_is(header + count * image_bytes) || !labels.read(label_head, 8) ||
      be32(label_head) != kLabelMagic || be32(label_head + 4) != count ||
      !labels.length_is(kLabelHeaderBytes + count)) {
    return std::nullopt;
  }
  const uint32_t taken =
      max_images > 0 ? std::min(count, static_cast<uint32_t>(max_images)) : count;
  Dataset d;
  d.name = images_path;
  d.shape = Shape{static_cast<int>(channels), static_cast<int>(rows), static_cast<int>(cols)};
  d.count = static_cast<int>(taken);
  d.split_images = static_cast<int>(count);
  d.pixels.resize(taken * image_bytes);
  std::vector<uint8_t> label_bytes(taken);
  if (!images.read(d.pixels.data(), d.pixels.size()) ||
      !labels.read(label_bytes.data(), label_bytes.size())) {
    return std::nullopt;
  }
  if (taken == count && (!images.at_clean_end() || !labels.at_clean_end())) {
    return std::nullopt;  // read whole: the check sums are verified as load_idx() does
  }
  d.labels.assign(label_bytes.begin(), label_bytes.end());
  return d;
}

}  // namespace safsim::dataset_readers
