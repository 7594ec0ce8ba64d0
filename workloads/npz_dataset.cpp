// .npz archives as np.savez and np.savez_compressed write them (a zip of .npy entries, stored or
// deflated), read with libzip: x_test (required) and y_test, x_train and y_train (optional).
// uint8 images are taken as they are; float images are quantized to pixels over a range per
// channel calibrated on the training array (else the test array), with 0 on an exact pixel.
#include <fmt/format.h>
#include <zip.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>

#include "base/errors.h"
#include "workloads/dataset_readers.h"
#include "workloads/npy.h"

namespace safsim::dataset_readers {

namespace {

constexpr uint64_t kReadChunk = uint64_t{1} << 20;  // a multiple of every element size
constexpr uint64_t kMinZipBytes = 22;               // an empty archive: the end record alone
constexpr int64_t kMaxSide = 65536;                 // of C, H and W

using Kind = NpyDtype::Kind;

std::string zip_error_text(int code) {
  zip_error_t e;
  zip_error_init_with_code(&e, code);
  std::string text = zip_error_strerror(&e);
  zip_error_fini(&e);
  return text;
}

/// An open archive, read only.
class Archive {
 public:
  explicit Archive(const std::string& path) : path_(path) {
    namespace fs = std::filesystem;
    require_regular_file(path, "an .npz file");
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      throw DatasetError(fmt::format("{}: cannot open: No such file or directory", path));
    }
    if (fs::file_size(path, ec) < kMinZipBytes) {
      throw DatasetError(fmt::format("{}: not a zip archive (an .npz is one): {} bytes", path,
                                     fs::file_size(path, ec)));
    }
    int err = 0;
    z_ = zip_open(path.c_str(), ZIP_RDONLY, &err);
    if (z_ == nullptr) {
      throw DatasetError(
          err == ZIP_ER_NOZIP
              ? fmt::format("{}: not a zip archive (an .npz is one)", path)
              : fmt::format("{}: cannot open as a zip archive: {}", path, zip_error_text(err)));
    }
  }
  ~Archive() { zip_discard(z_); }
  Archive(const Archive&) = delete;
  Archive& operator=(const Archive&) = delete;

  const std::string& path() const { return path_; }
  zip_t* zip() const { return z_; }
  bool has(const std::string& array) const {
    return zip_name_locate(z_, (array + ".npy").c_str(), 0) >= 0;
  }
  /// The arrays it holds, for messages: "a, b" or "none".
  std::string array_names() const {
    std::string names;
    const zip_int64_t n = zip_get_num_entries(z_, 0);
    for (zip_int64_t i = 0; i < n; ++i) {
      const char* name = zip_get_name(z_, static_cast<zip_uint64_t>(i), 0);
      if (name == nullptr) {
        continue;
      }
      std::string s = name;
      if (s.size() > 4 && s.compare(s.size() - 4, 4, ".npy") == 0) {
        s.resize(s.size() - 4);
      }
      names += (names.empty() ? "" : ", ") + s;
    }
    return names.empty() ? "none" : names;
  }

 private:
  std::string path_;
  zip_t* z_ = nullptr;
};

/// One .npy entry, opened and its header parsed; read() streams the payload.
class NpyEntry {
 public:
  NpyEntry(const Archive& archive, const std::string& array)
      : context_(fmt::format("{}: {}", archive.path(), array)), array_(array) {
    const std::string entry = array + ".npy";
    zip_stat_t st;
    zip_stat_init(&st);
    if (!archive.has(array) || zip_stat(archive.zip(), entry.c_str(), 0, &st) != 0) {
      throw DatasetError(
          fmt::format("{}: no array {} (has: {})", archive.path(), array, archive.array_names()));
    }
    if ((st.valid & ZIP_STAT_SIZE) == 0) {
      throw DatasetError(fmt::format("{}: the zip directory gives no size", context_));
    }
    f_.reset(zip_fopen(archive.zip(), entry.c_str(), 0));
    if (f_ == nullptr) {
      throw DatasetError(
          fmt::format("{}: cannot read the entry: {}", context_, zip_strerror(archive.zip())));
    }
    // The preamble, then the header dict; the payload size is checked before it is read.
    std::vector<uint8_t> head(std::min<uint64_t>(st.size, 12));
    read_exact(head.data(), head.size(), "the .npy preamble");
    const NpyPreamble pre = parse_npy_preamble(head.data(), head.size(), context_);
    const uint64_t header_bytes = pre.prefix_bytes + pre.dict_bytes;
    if (st.size < header_bytes) {
      throw DatasetError(fmt::format("{}: {} bytes, shorter than its {}-byte .npy header", context_,
                                     st.size, header_bytes));
    }
    const size_t had = head.size();
    head.resize(header_bytes);
    read_exact(head.data() + had, header_bytes - had, "the .npy header");
    const NpyHeader h = parse_npy_dict(
        std::string_view(reinterpret_cast<const char*>(head.data()) + pre.prefix_bytes,
                         pre.dict_bytes),
        context_);
    if (h.fortran_order) {
      throw DatasetError(
          fmt::format("{}: stored in Fortran (column-major) order; save a C-ordered array "
                      "(np.ascontiguousarray)",
                      context_));
    }
    descr = h.descr;
    shape = h.shape;
    const std::optional<NpyDtype> t = npy_dtype(h.descr);
    dtype = t.value_or(NpyDtype{Kind::kUnsigned, 0});
    known_dtype = t.has_value();
    // Overflow-safe: every dimension and the running product stay below the payload cap.
    elements = 1;
    for (int64_t d : shape) {
      if (d == 0) {
        throw DatasetError(
            fmt::format("{}: shape {} has a dimension of 0", context_, npy_shape_text(shape)));
      }
      if (static_cast<uint64_t>(d) > kMaxPayloadBytes ||
          elements > kMaxPayloadBytes / static_cast<uint64_t>(d)) {
        throw DatasetError(fmt::format("{}: implausible shape {}: more than {} bytes", context_,
                                       npy_shape_text(shape), kMaxPayloadBytes));
      }
      elements *= static_cast<uint64_t>(d);
    }
    const uint64_t item = known_dtype ? static_cast<uint64_t>(dtype.bytes) : 1;
    if (elements > kMaxPayloadBytes / item) {
      throw DatasetError(fmt::format("{}: implausible shape {} of {}: more than {} bytes", context_,
                                     npy_shape_text(shape), descr, kMaxPayloadBytes));
    }
    payload_bytes_ = elements * item;
    read_bytes_ = payload_bytes_;
    if (known_dtype && st.size != header_bytes + payload_bytes_) {
      throw DatasetError(fmt::format(
          "{}: the entry holds {} bytes, but its {}-byte header announces shape {} of {} ({} "
          "payload bytes)",
          context_, st.size, header_bytes, npy_shape_text(shape), descr, payload_bytes_));
    }
  }

  const std::string& context() const { return context_; }  // "<path>: <array>"
  /// The payload reads below stop after the first `n` elements (a run that needs only the first
  /// images of a split reads only those; the zip stream is never decompressed past them).
  void read_only(uint64_t n) { read_bytes_ = std::min(read_bytes_, n * dtype.bytes); }
  const std::string& array() const { return array_; }
  bool is_float() const { return known_dtype && dtype.kind == Kind::kFloat; }

  /// fn(value, flat index) for every element of a float array, in storage order.
  template <class Fn>
  void for_each_float(Fn fn) {
    uint64_t index = 0;
    read_payload([&](const uint8_t* p, uint64_t n) {
      for (uint64_t i = 0; i < n; ++i, ++index) {
        fn(decode_float(p + i * dtype.bytes), index);
      }
    });
  }
  /// fn(int64 value, bool fits_int64, flat index) for an integer array.
  template <class Fn>
  void for_each_int(Fn fn) {
    uint64_t index = 0;
    read_payload([&](const uint8_t* p, uint64_t n) {
      for (uint64_t i = 0; i < n; ++i, ++index) {
        uint64_t bits = 0;
        for (int b = 0; b < dtype.bytes; ++b) {
          bits |= uint64_t{p[i * dtype.bytes + b]} << (8 * b);
        }
        if (dtype.kind == Kind::kSigned && dtype.bytes < 8 &&
            (bits >> (8 * dtype.bytes - 1)) != 0) {
          bits |= ~uint64_t{0} << (8 * dtype.bytes);  // sign-extend
        }
        const bool fits = dtype.kind == Kind::kSigned || bits <= uint64_t{INT64_MAX};
        fn(fits ? static_cast<int64_t>(bits) : INT64_MAX, fits, index);
      }
    });
  }
  /// fn(const uint8_t* bytes, uint64_t first index) for a uint8 array, chunk by chunk.
  template <class Fn>
  void for_each_byte_chunk(Fn fn) {
    uint64_t index = 0;
    read_payload([&](const uint8_t* p, uint64_t n) {
      fn(p, n, index);
      index += n;
    });
  }

  std::string descr;
  std::vector<int64_t> shape;
  NpyDtype dtype;
  bool known_dtype = false;
  uint64_t elements = 0;

 private:
  void read_exact(uint8_t* dst, uint64_t n, const char* what) {
    uint64_t done = 0;
    while (done < n) {
      const zip_int64_t got = zip_fread(f_.get(), dst + done, n - done);
      if (got < 0) {
        throw DatasetError(
            fmt::format("{}: cannot read {}: {}", context_, what, zip_file_strerror(f_.get())));
      }
      if (got == 0) {
        throw DatasetError(
            fmt::format("{}: truncated: {} of {} bytes of {}", context_, done, n, what));
      }
      done += static_cast<uint64_t>(got);
    }
  }
  template <class Fn>
  void read_payload(Fn fn) {
    if (read_) {
      throw std::logic_error("NpyEntry payload read twice");
    }
    read_ = true;
    std::vector<uint8_t> buf(std::min(kReadChunk, read_bytes_));
    for (uint64_t done = 0; done < read_bytes_;) {
      const uint64_t n = std::min<uint64_t>(buf.size(), read_bytes_ - done);
      read_exact(buf.data(), n, "the array data");
      fn(buf.data(), n / dtype.bytes);
      done += n;
    }
  }
  double decode_float(const uint8_t* p) const {
    if (dtype.bytes == 4) {
      uint32_t bits =
          uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
      float f;
      std::memcpy(&f, &bits, sizeof f);
      return f;
    }
    uint64_t bits = 0;
    for (int b = 0; b < 8; ++b) {
      bits |= uint64_t{p[b]} << (8 * b);
    }
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }

  std::string context_;
  std::string array_;
  struct Close {
    void operator()(zip_file_t* f) const { zip_fclose(f); }
  };
  std::unique_ptr<zip_file_t, Close> f_;  // closed also when the constructor throws
  uint64_t payload_bytes_ = 0;
  uint64_t read_bytes_ = 0;  // of the payload, from its start
  bool read_ = false;
};

/// How the images of an x array are laid out.
struct ImageLayout {
  Shape shape;  // per image, CHW
  bool nhwc = false;
  int count = 0;
};

std::string dims_text(int64_t a, int64_t b, int64_t c) { return fmt::format("{}x{}x{}", a, b, c); }

ImageLayout image_layout(const DatasetSource& source, const NpyEntry& x) {
  const bool uint8 = x.known_dtype && x.dtype.kind == Kind::kUnsigned && x.dtype.bytes == 1;
  if (!uint8 && !x.is_float()) {
    throw DatasetError(
        fmt::format("{} has dtype {}; expected |u1 (uint8), <f4 (float32) or <f8 (float64)",
                    x.context(), x.descr));
  }
  const std::vector<int64_t>& d = x.shape;
  if (d.size() != 3 && d.size() != 4) {
    throw DatasetError(
        fmt::format("{} has shape {}; expected N x H x W, or N x C x H x W or N x H x W x C",
                    x.context(), npy_shape_text(d)));
  }
  if (d[0] > kMaxImages) {
    throw DatasetError(fmt::format("{}: implausible shape {}: more than {} images", x.context(),
                                   npy_shape_text(d), kMaxImages));
  }
  for (size_t i = 1; i < d.size(); ++i) {
    if (d[i] > kMaxSide) {
      throw DatasetError(fmt::format("{}: implausible shape {}: a side longer than {}", x.context(),
                                     npy_shape_text(d), kMaxSide));
    }
  }
  ImageLayout l;
  l.count = static_cast<int>(d[0]);
  if (d.size() == 3) {
    l.shape = Shape{1, static_cast<int>(d[1]), static_cast<int>(d[2])};
    return l;
  }
  const Shape& in = source.input_shape;
  if (source.layout != DataLayout::kAuto) {
    l.nhwc = source.layout == DataLayout::kNhwc;
  } else if (in.c > 0) {
    const bool nchw = d[1] == in.c && d[2] == in.h && d[3] == in.w;
    const bool nhwc = d[1] == in.h && d[2] == in.w && d[3] == in.c;
    if (nchw && nhwc) {
      throw DatasetError(fmt::format(
          "{} has shape {}, which is the model's input {} both as NCHW and as NHWC; set "
          "workload.layout: nchw or nhwc",
          x.context(), npy_shape_text(d), shape_text(in)));
    }
    if (!nchw && !nhwc) {
      throw DatasetError(fmt::format(
          "{} has shape {}, which is neither N x {} (NCHW) nor N x {} (NHWC) of the model's "
          "input {}",
          x.context(), npy_shape_text(d), shape_text(in), dims_text(in.h, in.w, in.c),
          shape_text(in)));
    }
    l.nhwc = nhwc;
  } else {
    // Without a model shape: NHWC when the last axis looks like channels and the first does not.
    l.nhwc = (d[3] == 1 || d[3] == 3) && d[1] != 1 && d[1] != 3;
  }
  l.shape = l.nhwc ? Shape{static_cast<int>(d[3]), static_cast<int>(d[1]), static_cast<int>(d[2])}
                   : Shape{static_cast<int>(d[1]), static_cast<int>(d[2]), static_cast<int>(d[3])};
  return l;
}

/// Where element `flat` of the stored array goes in the Dataset's CHW pixels, and its channel.
struct Placement {
  explicit Placement(const ImageLayout& layout)
      : l(layout), chw(layout.shape.size()), hw(int64_t{layout.shape.h} * layout.shape.w) {}
  ImageLayout l;
  int64_t chw, hw;

  int channel(uint64_t flat) const {
    const int64_t k = static_cast<int64_t>(flat % chw);
    return static_cast<int>(l.nhwc ? k % l.shape.c : k / hw);
  }
  uint64_t dest(uint64_t flat) const {
    if (!l.nhwc) {
      return flat;
    }
    const int64_t k = static_cast<int64_t>(flat % chw);
    return flat - k + (k % l.shape.c) * hw + k / l.shape.c;
  }
};

void check_finite(const NpyEntry& x, double v, uint64_t flat) {
  if (!std::isfinite(v)) {
    throw DatasetError(
        fmt::format("{}[{}] is {}; image values must be finite", x.context(), flat, v));
  }
}

/// Per channel: lo = min(0, min x), hi = max(0, max x), over every image of `x`.
void calibrate(NpyEntry& x, const Placement& at, std::vector<double>* lo, std::vector<double>* hi) {
  lo->assign(at.l.shape.c, 0.0);
  hi->assign(at.l.shape.c, 0.0);
  x.for_each_float([&](double v, uint64_t flat) {
    check_finite(x, v, flat);
    const int c = at.channel(flat);
    (*lo)[c] = std::min((*lo)[c], v);
    (*hi)[c] = std::max((*hi)[c], v);
  });
}

/// The images of `x` as pixels: uint8 as stored, floats quantized over the calibrated range.
void read_pixels(NpyEntry& x, const Placement& at, const std::vector<double>& lo,
                 const std::vector<double>& hi, Dataset* d) {
  d->pixels.resize(static_cast<size_t>(int64_t{at.l.count} * at.chw));
  uint8_t* px = d->pixels.data();
  if (!x.is_float()) {
    x.for_each_byte_chunk([&](const uint8_t* p, uint64_t n, uint64_t first) {
      if (!at.l.nhwc) {
        std::memcpy(px + first, p, n);
        return;
      }
      for (uint64_t i = 0; i < n; ++i) {
        px[at.dest(first + i)] = p[i];
      }
    });
    return;
  }
  const int channels = at.l.shape.c;
  std::vector<double> step(channels), zero(channels);
  d->value_scale.resize(channels);
  d->value_shift.resize(channels);
  for (int c = 0; c < channels; ++c) {
    const double top = hi[c] == lo[c] ? lo[c] + 1.0 : hi[c];
    step[c] = (top - lo[c]) / 255.0;
    zero[c] = std::round(-lo[c] / step[c]);
    d->value_scale[c] = static_cast<float>(255.0 * step[c]);
    d->value_shift[c] = static_cast<float>(-zero[c] * step[c]);
  }
  x.for_each_float([&](double v, uint64_t flat) {
    check_finite(x, v, flat);
    const int c = at.channel(flat);
    const double p = std::clamp(std::round(v / step[c]) + zero[c], 0.0, 255.0);
    px[at.dest(flat)] = static_cast<uint8_t>(p);
  });
}

/// The first `wanted` labels of an array that must hold `count`, one per image of x.
std::vector<int32_t> read_labels(const Archive& archive, const std::string& array,
                                 const NpyEntry& x, int count, int wanted) {
  NpyEntry y(archive, array);
  if (!y.known_dtype || y.dtype.kind == Kind::kFloat) {
    throw DatasetError(fmt::format(
        "{} has dtype {}; expected integer labels (|u1, |i1, <i2, <u2, <i4, <u4, <i8 or <u8)",
        y.context(), y.descr));
  }
  if (!(y.shape.size() == 1 || (y.shape.size() == 2 && y.shape[1] == 1))) {
    throw DatasetError(fmt::format("{} has shape {}; expected N labels (N or Nx1)", y.context(),
                                   npy_shape_text(y.shape)));
  }
  if (y.shape[0] != count) {
    throw DatasetError(fmt::format("{} holds {} images but {} has {} labels", x.context(), count,
                                   array, y.shape[0]));
  }
  std::vector<int32_t> labels(static_cast<size_t>(wanted));
  y.read_only(static_cast<uint64_t>(wanted));
  y.for_each_int([&](int64_t v, bool fits, uint64_t i) {
    if (v < 0) {
      throw DatasetError(fmt::format("{}[{}] is {}; a label must be 0 or more", y.context(), i, v));
    }
    if (!fits || v > std::numeric_limits<int32_t>::max()) {
      throw DatasetError(fmt::format("{}[{}] is {}; a label must fit a 32-bit integer", y.context(),
                                     i, fits ? std::to_string(v) : std::string("above 2^63")));
    }
    labels[i] = static_cast<int32_t>(v);
  });
  return labels;
}

const char* x_name(DatasetSplit split) {
  return split == DatasetSplit::kTrain ? "x_train" : "x_test";
}
const char* y_name(DatasetSplit split) {
  return split == DatasetSplit::kTrain ? "y_train" : "y_test";
}

}  // namespace

Dataset load_npz(const DatasetSource& source, const std::string& path, DatasetSplit split) {
  const Archive archive(path);
  const std::string xs = x_name(split);
  auto x = std::make_unique<NpyEntry>(archive, xs);
  const ImageLayout layout = image_layout(source, *x);
  check_input_shape(source, layout.shape, x->context());
  const Placement at(layout);

  // The other split's images must be of the same kind and shape: both splits share one meaning
  // of a pixel (and a float range calibrated on the training array).
  const std::string other_name =
      x_name(split == DatasetSplit::kTrain ? DatasetSplit::kTest : DatasetSplit::kTrain);
  std::unique_ptr<NpyEntry> other;
  std::unique_ptr<Placement> other_at;
  if (archive.has(other_name)) {
    other = std::make_unique<NpyEntry>(archive, other_name);
    other_at = std::make_unique<Placement>(image_layout(source, *other));
    if (other->is_float() != x->is_float()) {
      throw DatasetError(
          fmt::format("{}: {} is {} but {} is {}; both splits must be uint8 or both float", path,
                      xs, x->descr, other_name, other->descr));
    }
    if (other_at->l.shape != layout.shape) {
      throw DatasetError(fmt::format("{}: {} holds {} images but {} holds {}", path, xs,
                                     shape_text(layout.shape), other_name,
                                     shape_text(other_at->l.shape)));
    }
  }

  std::vector<double> lo, hi;
  if (x->is_float()) {
    if (split == DatasetSplit::kTest && other != nullptr) {
      calibrate(*other, *other_at, &lo, &hi);
    } else {
      calibrate(*x, at, &lo, &hi);
      x = std::make_unique<NpyEntry>(archive, xs);  // the payload is read again from the start
    }
  }
  other.reset();

  // Only the images the run takes (source.max_images) are read. A float array's range was
  // calibrated above over a whole array (the training split, else this one), so a pixel's code
  // does not depend on how many images are taken.
  ImageLayout taken = layout;
  if (source.max_images > 0 && source.max_images < layout.count) {
    taken.count = source.max_images;
  }
  x->read_only(static_cast<uint64_t>(taken.count) * uint64_t(at.chw));
  Dataset d;
  d.shape = layout.shape;
  d.count = taken.count;
  d.split_images = layout.count;
  read_pixels(*x, Placement(taken), lo, hi, &d);
  if (archive.has(y_name(split))) {
    d.labels = read_labels(archive, y_name(split), *x, layout.count, taken.count);
  }
  return d;
}

bool npz_has_split(const std::string& path, DatasetSplit split) {
  return Archive(path).has(x_name(split));
}

}  // namespace safsim::dataset_readers
