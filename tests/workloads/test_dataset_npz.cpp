// .npz datasets: archives written here with libzip (stored and deflated) for every reader path
// and error, and archives written by numpy itself.
#include <sys/stat.h>
#include <zip.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "base/errors.h"
#include "tests/support/onnx_builder.h"
#include "workloads/dataset.h"
#include "workloads/npy.h"

namespace safsim {
namespace {

using Catch::Contains;
using test::TempDir;

/// An .npy file of any descr: version 1.0 preamble, the dict, then `payload` as given.
std::string npy_raw(const std::string& descr, const std::string& shape_repr,
                    const std::string& payload, const std::string& fortran = "False") {
  std::string dict =
      "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape_repr + ", }";
  dict.append(63 - (10 + dict.size()) % 64, ' ');
  dict += '\n';
  std::string out = std::string("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>(dict.size() >> 8);
  return out + dict + payload;
}

std::string bytes_of(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

template <class T>
std::string le_bytes(const std::vector<T>& values) {
  std::string out;
  for (T v : values) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));  // the test machine is little-endian, as .npy '<' is
    out.append(b, sizeof(T));
  }
  return out;
}

/// Writes a zip of `entries` (name, bytes), each stored or deflated.
std::string write_npz(const std::string& path,
                      const std::vector<std::pair<std::string, std::string>>& entries,
                      bool deflate = true) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  REQUIRE(z != nullptr);
  for (const auto& [name, bytes] : entries) {
    zip_source_t* src = zip_source_buffer(z, bytes.data(), bytes.size(), 0);
    REQUIRE(src != nullptr);
    const zip_int64_t index = zip_file_add(z, name.c_str(), src, ZIP_FL_OVERWRITE);
    REQUIRE(index >= 0);
    REQUIRE(zip_set_file_compression(z, static_cast<zip_uint64_t>(index),
                                     deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) == 0);
  }
  REQUIRE(zip_close(z) == 0);
  return path;
}

std::vector<uint8_t> iota_bytes(int n, uint8_t first = 1) {
  std::vector<uint8_t> v(n);
  for (int i = 0; i < n; ++i) {
    v[i] = static_cast<uint8_t>(first + i);
  }
  return v;
}

DatasetSource npz_source(const std::string& path, Shape input = {},
                         DataLayout layout = DataLayout::kAuto) {
  DatasetSource s;
  s.name = path;
  s.input_shape = input;
  s.layout = layout;
  return s;
}

TEST_CASE("npz: uint8 images with labels, stored or deflated, both splits", "[dataset][npz]") {
  TempDir dir;
  const bool deflate = GENERATE(false, true);
  const std::string path =
      write_npz(dir.file("data.npz"),
                {{"x_test.npy", npy_raw("|u1", "(2, 1, 2, 3)", bytes_of(iota_bytes(12)))},
                 {"y_test.npy", npy_raw("|u1", "(2,)", bytes_of({3, 4}))},
                 {"x_train.npy", npy_raw("|u1", "(3, 2, 3)", bytes_of(iota_bytes(18, 100)))}},
                deflate);
  const DatasetSource source = npz_source(path);
  const Dataset test = load_dataset(source, DatasetSplit::kTest);
  CHECK(test.name == path);
  CHECK(test.count == 2);
  CHECK(test.shape == Shape{1, 2, 3});
  CHECK(test.pixels == iota_bytes(12));
  CHECK(test.labels == std::vector<int32_t>{3, 4});
  CHECK(test.value_scale.empty());
  CHECK(test.first_index == 0);

  const Dataset train = load_dataset(source, DatasetSplit::kTrain);
  CHECK(train.count == 3);
  CHECK(train.shape == Shape{1, 2, 3});  // N x H x W: one channel
  CHECK(train.pixels == iota_bytes(18, 100));
  CHECK_FALSE(train.has_labels());  // y_train is optional

  CHECK(has_split(source, DatasetSplit::kTest));
  CHECK(has_split(source, DatasetSplit::kTrain));
  CHECK(dataset_files(source) == std::vector<std::string>{path});
}

TEST_CASE("npz: a run that takes the first images reads only those and their labels",
          "[dataset][npz]") {
  TempDir dir;
  const bool deflate = GENERATE(false, true);
  // Three H x W x C = 1 x 2 x 3 images, pixel (y, x, c) of image n = 100 n + 10 x + c, and a
  // third label that is not valid: reading it would be an error.
  const std::string path =
      write_npz(dir.file("data.npz"),
                {{"x_test.npy", npy_raw("|u1", "(3, 1, 2, 3)",
                                        bytes_of({0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112,
                                                  200, 201, 202, 210, 211, 212}))},
                 {"y_test.npy", npy_raw("|i1", "(3,)", bytes_of({3, 4, 0xFF}))}},
                deflate);
  DatasetSource source = npz_source(path, {3, 1, 2});
  source.max_images = 2;
  const Dataset d = load_dataset(source, DatasetSplit::kTest);
  CHECK(d.count == 2);
  CHECK(d.split_images == 3);
  CHECK(d.shape == Shape{3, 1, 2});
  CHECK(d.pixels == std::vector<uint8_t>{0, 10, 1, 11, 2, 12, 100, 110, 101, 111, 102, 112});
  CHECK(d.labels == std::vector<int32_t>{3, 4});

  source.max_images = 0;  // every image: the third label is read and refused
  CHECK_THROWS_WITH(load_dataset(source, DatasetSplit::kTest), Contains("y_test[2] is -1"));
}

TEST_CASE("npz: the layout of 4-D images comes from the model's input shape or workload.layout",
          "[dataset][npz]") {
  TempDir dir;
  // One image stored as H x W x C = 1 x 2 x 3: pixel (y, x, c) = 10 * x + c.
  const std::string path =
      write_npz(dir.file("hwc.npz"),
                {{"x_test.npy", npy_raw("|u1", "(1, 1, 2, 3)", bytes_of({0, 1, 2, 10, 11, 12}))}});
  const std::vector<uint8_t> chw = {0, 10, 1, 11, 2, 12};

  SECTION("auto: the shape matches H x W x C of the model") {
    const Dataset d = load_dataset(npz_source(path, {3, 1, 2}), DatasetSplit::kTest);
    CHECK(d.shape == Shape{3, 1, 2});
    CHECK(d.pixels == chw);
  }
  SECTION("auto: the shape matches C x H x W of the model") {
    const Dataset d = load_dataset(npz_source(path, {1, 2, 3}), DatasetSplit::kTest);
    CHECK(d.shape == Shape{1, 2, 3});
    CHECK(d.pixels == std::vector<uint8_t>{0, 1, 2, 10, 11, 12});
  }
  SECTION("forced nhwc, and forced nchw naming the mismatch") {
    const Dataset d = load_dataset(npz_source(path, {}, DataLayout::kNhwc), DatasetSplit::kTest);
    CHECK(d.shape == Shape{3, 1, 2});
    CHECK(d.pixels == chw);
    REQUIRE_THROWS_WITH(
        load_dataset(npz_source(path, {3, 1, 2}, DataLayout::kNchw), DatasetSplit::kTest),
        path + ": x_test holds 1x2x3 images but the model takes 3x1x2");
  }
  SECTION("auto without a model shape: NHWC when the last axis has 1 or 3 entries") {
    const std::string hwc =
        write_npz(dir.file("hwc2.npz"),
                  {{"x_test.npy", npy_raw("|u1", "(1, 2, 2, 3)", bytes_of(iota_bytes(12)))}});
    const Dataset d = load_dataset(npz_source(hwc), DatasetSplit::kTest);
    CHECK(d.shape == Shape{3, 2, 2});
    CHECK(d.pixels == std::vector<uint8_t>{1, 4, 7, 10, 2, 5, 8, 11, 3, 6, 9, 12});
    // ... and NCHW otherwise: the first axis has 1 or 3 entries too, or the last one has not.
    CHECK(load_dataset(npz_source(path), DatasetSplit::kTest).shape == Shape{1, 2, 3});
    const std::string nchw =
        write_npz(dir.file("chw.npz"),
                  {{"x_test.npy", npy_raw("|u1", "(1, 3, 2, 3)", bytes_of(iota_bytes(18)))}});
    CHECK(load_dataset(npz_source(nchw), DatasetSplit::kTest).shape == Shape{3, 2, 3});
  }
  SECTION("neither layout fits the model") {
    REQUIRE_THROWS_WITH(load_dataset(npz_source(path, {3, 32, 32}), DatasetSplit::kTest),
                        path +
                            ": x_test has shape 1x1x2x3, which is neither N x 3x32x32 (NCHW) nor "
                            "N x 32x32x3 (NHWC) of the model's input 3x32x32");
  }
  SECTION("both layouts fit: ask for workload.layout") {
    const std::string cube =
        write_npz(dir.file("cube.npz"),
                  {{"x_test.npy", npy_raw("|u1", "(1, 2, 2, 2)", bytes_of(iota_bytes(8)))}});
    REQUIRE_THROWS_WITH(load_dataset(npz_source(cube, {2, 2, 2}), DatasetSplit::kTest),
                        cube +
                            ": x_test has shape 1x2x2x2, which is the model's input 2x2x2 both as "
                            "NCHW and as NHWC; set workload.layout: nchw or nhwc");
    CHECK(
        load_dataset(npz_source(cube, {2, 2, 2}, DataLayout::kNchw), DatasetSplit::kTest).pixels ==
        iota_bytes(8));
  }
  SECTION("a 3-D array of the wrong size names the array and both shapes") {
    const std::string mnist = write_npz(
        dir.file("m.npz"), {{"x_test.npy", npy_raw("|u1", "(1, 2, 2)", bytes_of(iota_bytes(4)))}});
    REQUIRE_THROWS_WITH(load_dataset(npz_source(mnist, {3, 32, 32}), DatasetSplit::kTest),
                        mnist + ": x_test holds 1x2x2 images but the model takes 3x32x32");
  }
}

/// The pixel of value x for a range [lo, hi] (lo <= 0 <= hi), as the reader computes it.
uint8_t quantized(double x, double lo, double hi) {
  const double s = (hi - lo) / 255.0;
  const double z = std::round(-lo / s);
  return static_cast<uint8_t>(std::clamp(std::round(x / s) + z, 0.0, 255.0));
}

TEST_CASE("npz: float images are quantized per channel with 0 on an exact pixel",
          "[dataset][npz]") {
  TempDir dir;
  // Two images of 2 channels x 1 x 2, NCHW. Channel 0 ranges over [-1, 2], channel 1 over
  // [0.25, 1] (so its range is [0, 1]).
  const std::vector<float> x = {-1.0f, 0.5f, 0.25f, 1.0f, 2.0f, 0.0f, 0.5f, 0.75f};
  const bool f8 = GENERATE(false, true);
  const std::string payload = f8 ? le_bytes(std::vector<double>(x.begin(), x.end())) : le_bytes(x);
  const std::string path = write_npz(
      dir.file("f.npz"), {{"x_test.npy", npy_raw(f8 ? "<f8" : "<f4", "(2, 2, 1, 2)", payload)}});
  const Dataset d = load_dataset(npz_source(path, {2, 1, 2}), DatasetSplit::kTest);
  // Channel 0: s = 3/255, z = round(1/s) = 85; channel 1: s = 1/255, z = 0.
  CHECK(d.pixels == std::vector<uint8_t>{0, 128, 64, 255, 255, 85, 128, 191});
  REQUIRE(d.value_scale.size() == 2);
  CHECK(d.value_scale[0] == Approx(3.0f));
  CHECK(d.value_shift[0] == Approx(-1.0f));
  CHECK(d.value_scale[1] == Approx(1.0f));
  CHECK(d.value_shift[1] == 0.0f);
  // What a pixel stands for: value 0 is exact.
  CHECK(85 / 255.0f * d.value_scale[0] + d.value_shift[0] == Approx(0.0f).margin(1e-6));
  CHECK(d.slice(1, 1).value_scale == d.value_scale);
}

TEST_CASE("npz: both splits of float images share the training array's ranges", "[dataset][npz]") {
  TempDir dir;
  const std::string path = write_npz(
      dir.file("f.npz"),
      {{"x_train.npy", npy_raw("<f4", "(2, 1, 2)", le_bytes(std::vector<float>{-2, 0, 1, 4}))},
       {"x_test.npy", npy_raw("<f4", "(1, 1, 2)", le_bytes(std::vector<float>{-3.0f, 1.5f}))},
       {"y_test.npy", npy_raw("<i8", "(1,)", le_bytes(std::vector<int64_t>{9}))}});
  const DatasetSource source = npz_source(path);
  const Dataset train = load_dataset(source, DatasetSplit::kTrain);
  const Dataset test = load_dataset(source, DatasetSplit::kTest);
  CHECK(train.value_scale == test.value_scale);
  CHECK(train.value_shift == test.value_shift);
  CHECK(train.pixels == std::vector<uint8_t>{quantized(-2, -2, 4), quantized(0, -2, 4),
                                             quantized(1, -2, 4), quantized(4, -2, 4)});
  CHECK(train.pixels == std::vector<uint8_t>{0, 85, 128, 255});
  CHECK(test.pixels == std::vector<uint8_t>{0, quantized(1.5, -2, 4)});  // -3 is clamped
  CHECK(test.labels == std::vector<int32_t>{9});
}

TEST_CASE("npz: all-zero float images still get a range", "[dataset][npz]") {
  TempDir dir;
  const std::string path =
      write_npz(dir.file("z.npz"),
                {{"x_test.npy", npy_raw("<f4", "(1, 1, 2)", le_bytes(std::vector<float>{0, 0}))}});
  const Dataset d = load_dataset(npz_source(path), DatasetSplit::kTest);
  CHECK(d.pixels == std::vector<uint8_t>{0, 0});
  CHECK(d.value_scale == std::vector<float>{1.0f});
  CHECK(d.value_shift == std::vector<float>{0.0f});
}

TEST_CASE("npz: labels of every integer dtype, N or N x 1", "[dataset][npz]") {
  TempDir dir;
  const std::string x = npy_raw("|u1", "(3, 1, 1)", bytes_of({1, 2, 3}));
  const auto labels_of = [&](const std::string& descr, const std::string& payload,
                             const std::string& shape) {
    const std::string path = write_npz(
        dir.file("l.npz"), {{"x_test.npy", x}, {"y_test.npy", npy_raw(descr, shape, payload)}});
    return load_dataset(npz_source(path), DatasetSplit::kTest).labels;
  };
  const std::vector<int32_t> want = {0, 7, 100};
  CHECK(labels_of("|u1", bytes_of({0, 7, 100}), "(3,)") == want);
  CHECK(labels_of("|i1", le_bytes(std::vector<int8_t>{0, 7, 100}), "(3,)") == want);
  CHECK(labels_of("<i2", le_bytes(std::vector<int16_t>{0, 7, 100}), "(3,)") == want);
  CHECK(labels_of("<u2", le_bytes(std::vector<uint16_t>{0, 7, 100}), "(3,)") == want);
  CHECK(labels_of("<i4", le_bytes(std::vector<int32_t>{0, 7, 100}), "(3,)") == want);
  CHECK(labels_of("<u4", le_bytes(std::vector<uint32_t>{0, 7, 100}), "(3,)") == want);
  CHECK(labels_of("<i8", le_bytes(std::vector<int64_t>{0, 7, 100}), "(3, 1)") == want);
  CHECK(labels_of("<u8", le_bytes(std::vector<uint64_t>{0, 7, 100}), "(3,)") == want);

  const std::string path = dir.file("l.npz");
  REQUIRE_THROWS_WITH(labels_of("<i2", le_bytes(std::vector<int16_t>{0, -1, 3}), "(3,)"),
                      path + ": y_test[1] is -1; a label must be 0 or more");
  REQUIRE_THROWS_WITH(
      labels_of("<i8", le_bytes(std::vector<int64_t>{0, 1, int64_t{1} << 31}), "(3,)"),
      path + ": y_test[2] is 2147483648; a label must fit a 32-bit integer");
  REQUIRE_THROWS_WITH(labels_of("<u8", le_bytes(std::vector<uint64_t>{~uint64_t{0}, 1, 2}), "(3,)"),
                      path + ": y_test[0] is above 2^63; a label must fit a 32-bit integer");
  REQUIRE_THROWS_WITH(labels_of("<u4", le_bytes(std::vector<uint32_t>{1, 2}), "(2,)"),
                      path + ": x_test holds 3 images but y_test has 2 labels");
  REQUIRE_THROWS_WITH(labels_of("<f4", le_bytes(std::vector<float>{1, 2, 3}), "(3,)"),
                      path +
                          ": y_test has dtype <f4; expected integer labels (|u1, |i1, <i2, <u2, "
                          "<i4, <u4, <i8 or <u8)");
  REQUIRE_THROWS_WITH(labels_of("|u1", bytes_of({1, 2, 3, 4, 5, 6}), "(3, 2)"),
                      path + ": y_test has shape 3x2; expected N labels (N or Nx1)");
}

TEST_CASE("npz: errors name the file, the array and what was expected", "[dataset][npz]") {
  TempDir dir;
  const std::string path = dir.file("data.npz");
  const std::string x = npy_raw("|u1", "(2, 1, 2)", bytes_of({1, 2, 3, 4}));
  const auto load = [&](DatasetSplit split = DatasetSplit::kTest) {
    return load_dataset(npz_source(path), split);
  };

  SECTION("not a zip archive") {
    std::ofstream(path) << "this is plain text, longer than twenty-two bytes\n";
    REQUIRE_THROWS_WITH(load(), path + ": not a zip archive (an .npz is one)");
    REQUIRE_THROWS_WITH(has_split(npz_source(path), DatasetSplit::kTest),
                        path + ": not a zip archive (an .npz is one)");
  }
  SECTION("an empty file") {
    std::ofstream{path};
    REQUIRE_THROWS_WITH(load(), path + ": not a zip archive (an .npz is one): 0 bytes");
  }
  SECTION("a missing file") {
    REQUIRE_THROWS_WITH(load(), path + ": cannot open: No such file or directory");
    CHECK(dataset_files(npz_source(path)) == std::vector<std::string>{path});
  }
  SECTION("a device is not opened") {
    REQUIRE_THROWS_WITH(load_dataset(npz_source("/dev/zero"), DatasetSplit::kTest),
                        "/dev/zero: not a regular file (a FIFO, device or socket is not read)");
  }
  SECTION("a FIFO is not opened") {
    REQUIRE(mkfifo(path.c_str(), 0600) == 0);
    REQUIRE_THROWS_WITH(load(),
                        path + ": not a regular file (a FIFO, device or socket is not read)");
  }
  SECTION("a missing array lists the ones there are") {
    write_npz(path, {{"arr_0.npy", x}, {"notes.txt", "hello"}});
    REQUIRE_THROWS_WITH(load(), path + ": no array x_test (has: arr_0, notes.txt)");
    CHECK_FALSE(has_split(npz_source(path), DatasetSplit::kTest));
    write_npz(path, {{"x_test.npy", x}});
    CHECK_FALSE(has_split(npz_source(path), DatasetSplit::kTrain));
    REQUIRE_THROWS_WITH(load(DatasetSplit::kTrain), path + ": no array x_train (has: x_test)");
  }
  SECTION("a dtype that is not read") {
    write_npz(path, {{"x_test.npy", npy_raw("<i4", "(1, 1, 1)", le_bytes(std::vector<int>{1}))}});
    REQUIRE_THROWS_WITH(load(), path +
                                    ": x_test has dtype <i4; expected |u1 (uint8), <f4 (float32) "
                                    "or <f8 (float64)");
    write_npz(path, {{"x_test.npy", npy_raw(">f4", "(1, 1, 1)", "\0\0\0\0")}});
    REQUIRE_THROWS_WITH(load(), Contains("x_test has dtype >f4; expected"));
  }
  SECTION("a shape that is not images") {
    write_npz(path, {{"x_test.npy", npy_raw("|u1", "(4,)", bytes_of({1, 2, 3, 4}))}});
    REQUIRE_THROWS_WITH(load(), path +
                                    ": x_test has shape 4; expected N x H x W, or N x C x H x W "
                                    "or N x H x W x C");
    write_npz(path, {{"x_test.npy", npy_raw("|u1", "(0, 2, 2)", "")}});
    REQUIRE_THROWS_WITH(load(), path + ": x_test: shape 0x2x2 has a dimension of 0");
  }
  SECTION("implausible sizes are refused before anything is allocated") {
    write_npz(path, {{"x_test.npy", npy_raw("|u1", "(2000000, 1, 1)", "")}});
    REQUIRE_THROWS_WITH(load(), Contains(path + ": x_test: the entry holds"));
    write_npz(path, {{"x_test.npy", npy_raw("<f8", "(1000000, 3, 1000, 1000)", "")}});
    REQUIRE_THROWS_WITH(load(), Contains(path + ": x_test: implausible shape 1000000x3x1000x1000"));
    write_npz(path, {{"x_test.npy", npy_raw("|u1", "(99999999999999999, 99999999999, 1)", "")}});
    REQUIRE_THROWS_WITH(load(), Contains("implausible shape"));
  }
  SECTION("an entry whose header announces more or less data than it holds") {
    write_npz(path, {{"x_test.npy", npy_raw("|u1", "(2, 1, 2)", bytes_of({1, 2, 3}))}});
    REQUIRE_THROWS_WITH(load(), path +
                                    ": x_test: the entry holds 131 bytes, but its 128-byte header "
                                    "announces shape 2x1x2 of |u1 (4 payload bytes)");
  }
  SECTION("Fortran order") {
    write_npz(path, {{"x_test.npy", npy_raw("|u1", "(2, 1, 2)", bytes_of({1, 2, 3, 4}), "True")}});
    REQUIRE_THROWS_WITH(load(), path +
                                    ": x_test: stored in Fortran (column-major) order; save a "
                                    "C-ordered array (np.ascontiguousarray)");
  }
  SECTION("a malformed .npy header") {
    std::string bad = x;
    bad[20] = '#';  // inside the dict
    write_npz(path, {{"x_test.npy", bad}});
    REQUIRE_THROWS_WITH(load(), Contains(path + ": x_test: malformed .npy header at character"));
    write_npz(path, {{"x_test.npy", "PK not an npy file at all"}});
    REQUIRE_THROWS_WITH(load(), path +
                                    ": x_test: not an .npy array: the magic string \\x93NUMPY is "
                                    "missing at byte 0");
    std::string v9 = x;
    v9[6] = 9;
    write_npz(path, {{"x_test.npy", v9}});
    REQUIRE_THROWS_WITH(load(),
                        path + ": x_test: .npy format version 9.0 (byte 6) is not 1.0, 2.0 or 3.0");
    write_npz(path, {{"x_test.npy", x.substr(0, 40)}});
    REQUIRE_THROWS_WITH(load(), path + ": x_test: 40 bytes, shorter than its 128-byte .npy header");
  }
  SECTION("non-finite float values") {
    write_npz(path, {{"x_test.npy",
                      npy_raw("<f4", "(1, 1, 3)", le_bytes(std::vector<float>{0, 1, NAN}))}});
    REQUIRE_THROWS_WITH(load(), path + ": x_test[2] is nan; image values must be finite");
    write_npz(
        path,
        {{"x_train.npy", npy_raw("<f4", "(1, 1, 3)", le_bytes(std::vector<float>{INFINITY, 1, 2}))},
         {"x_test.npy", npy_raw("<f4", "(1, 1, 3)", le_bytes(std::vector<float>{0, 1, 2}))}});
    REQUIRE_THROWS_WITH(load(), path + ": x_train[0] is inf; image values must be finite");
  }
  SECTION("splits of different kinds or shapes") {
    write_npz(path,
              {{"x_test.npy", x},
               {"x_train.npy", npy_raw("<f4", "(1, 1, 1)", le_bytes(std::vector<float>{1}))}});
    REQUIRE_THROWS_WITH(load(), path +
                                    ": x_test is |u1 but x_train is <f4; both splits must be uint8 "
                                    "or both float");
    write_npz(path, {{"x_test.npy", x}, {"x_train.npy", npy_raw("|u1", "(1, 1, 1)", "\x05")}});
    REQUIRE_THROWS_WITH(load(DatasetSplit::kTrain),
                        path + ": x_train holds 1x1x1 images but x_test holds 1x1x2");
  }
}

TEST_CASE("npz written by numpy: NHWC float32 with negative values, uint8 NCHW, int64 labels",
          "[dataset][npz]") {
  if (std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0) {
    WARN("python3-numpy is not installed: the numpy-written .npz is not checked");
    return;
  }
  TempDir dir;
  const std::string script =
      "import numpy as np\n"
      "x = (np.arange(2 * 4 * 4 * 3, dtype=np.float32).reshape(2, 4, 4, 3) / 10 - 3) * "
      "np.array([1, 2, 0.5], dtype=np.float32)\n"
      "np.savez_compressed('" +
      dir.file("f.npz") +
      "', x_test=x, y_test=np.array([3, 1]))\n"
      "u = np.arange(3 * 2 * 2 * 2, dtype=np.uint8).reshape(3, 2, 2, 2) * 7\n"
      "np.savez('" +
      dir.file("u.npz") +
      "', x_train=u, y_train=np.array([0, 5, 9], "
      "dtype=np.int64), x_test=u[:1])\n";
  std::ofstream(dir.file("make.py")) << script;
  REQUIRE(std::system(("/usr/bin/python3 " + dir.file("make.py")).c_str()) == 0);

  // Float NHWC: channel c of pixel (n, y, x) is ((n * 16 + y * 4 + x) * 3 + c) / 10 - 3, times
  // {1, 2, 0.5}[c]; ranges per channel over both images.
  const Dataset f = load_dataset(npz_source(dir.file("f.npz"), {3, 4, 4}), DatasetSplit::kTest);
  REQUIRE(f.count == 2);
  CHECK(f.shape == Shape{3, 4, 4});
  CHECK(f.labels == std::vector<int32_t>{3, 1});
  const float mul[3] = {1.0f, 2.0f, 0.5f};
  for (int c = 0; c < 3; ++c) {
    const auto value = [&](int flat) {
      return static_cast<double>((static_cast<float>(flat * 3 + c) / 10.0f - 3.0f) * mul[c]);
    };
    const double lo = std::min(0.0, value(0)), hi = std::max(0.0, value(31));
    CHECK(f.value_scale[c] == Approx(hi - lo));
    for (int n = 0; n < 2; ++n) {
      for (int p = 0; p < 16; ++p) {
        INFO("channel " << c << " image " << n << " pixel " << p);
        CHECK(f.image(n)[c * 16 + p] == quantized(value(n * 16 + p), lo, hi));
      }
    }
  }
  CHECK(f.image(0)[0] == 0);  // the most negative value of channel 0

  // uint8 NCHW; 2x2x2 images fit both layouts, so the layout is given.
  const DatasetSource u = npz_source(dir.file("u.npz"), {2, 2, 2}, DataLayout::kNchw);
  const Dataset train = load_dataset(u, DatasetSplit::kTrain);
  CHECK(train.count == 3);
  CHECK(train.labels == std::vector<int32_t>{0, 5, 9});
  CHECK(train.image(2)[7] == 23 * 7);
  CHECK(train.value_scale.empty());
  const Dataset test = load_dataset(u, DatasetSplit::kTest);
  CHECK(test.count == 1);
  CHECK_FALSE(test.has_labels());
  CHECK(test.pixels == std::vector<uint8_t>(train.pixels.begin(), train.pixels.begin() + 8));
}

}  // namespace
}  // namespace safsim
