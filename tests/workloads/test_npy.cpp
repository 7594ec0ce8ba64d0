// The .npy writer (byte-identical to np.save) and the header parser.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "base/errors.h"
#include "tests/support/onnx_builder.h"
#include "workloads/npy.h"

namespace safsim {
namespace {

using Catch::Contains;
using test::TempDir;

const uint8_t* bytes(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

NpyHeader header_of(const std::string& file) {
  const NpyPreamble p = parse_npy_preamble(bytes(file), file.size(), "t");
  return parse_npy_dict(std::string_view(file).substr(p.prefix_bytes, p.dict_bytes), "t");
}

TEST_CASE("npy_bytes writes version 1.0 with the header padded to 64 bytes", "[npy]") {
  const std::string f = npy_bytes({2, 3}, std::vector<float>{1, 2, 3, 4, 5, -6.5f});
  REQUIRE(f.size() == 128 + 24);
  CHECK(f.substr(0, 8) == std::string("\x93NUMPY\x01\x00", 8));
  CHECK(f[127] == '\n');
  const NpyPreamble p = parse_npy_preamble(bytes(f), f.size(), "t");
  CHECK(p.prefix_bytes + p.dict_bytes == 128);
  const NpyHeader h = header_of(f);
  CHECK(h.descr == "<f4");
  CHECK_FALSE(h.fortran_order);
  CHECK(h.shape == std::vector<int64_t>{2, 3});
  float last;
  std::memcpy(&last, f.data() + 128 + 20, 4);
  CHECK(last == -6.5f);

  const std::string i = npy_bytes({3}, std::vector<int32_t>{7, -1, 2});
  CHECK(header_of(i).descr == "<i4");
  CHECK(header_of(i).shape == std::vector<int64_t>{3});
  CHECK(i.size() % 64 == 12 % 64);
  CHECK(header_of(npy_bytes({}, std::vector<float>{1})).shape.empty());
  REQUIRE_THROWS_AS(npy_bytes({2, 2}, std::vector<float>{1}), std::invalid_argument);
}

TEST_CASE("npy_bytes matches what np.save writes", "[npy]") {
  if (std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0) {
    WARN("python3-numpy is not installed: npy_bytes is not compared with np.save");
    return;
  }
  TempDir dir;
  const std::string cmd =
      "/usr/bin/python3 -c \"import numpy as np; "
      "np.save('" +
      dir.file("f.npy") +
      "', np.array([[1, 2.5, -3], [4, 5, 6e-8]], dtype=np.float32)); "
      "np.save('" +
      dir.file("i.npy") + "', np.array([7, -1, 123456789] * 4, dtype=np.int32))\"";
  REQUIRE(std::system(cmd.c_str()) == 0);
  const auto slurp = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  CHECK(slurp(dir.file("f.npy")) ==
        npy_bytes({2, 3}, std::vector<float>{1, 2.5f, -3, 4, 5, 6e-8f}));
  std::vector<int32_t> ints;
  for (int k = 0; k < 4; ++k) {
    ints.insert(ints.end(), {7, -1, 123456789});
  }
  CHECK(slurp(dir.file("i.npy")) == npy_bytes({12}, ints));
}

TEST_CASE("npy header dicts: the forms numpy writes and malformed ones", "[npy]") {
  NpyHeader h = parse_npy_dict("{'descr': '|u1', 'fortran_order': True, 'shape': (5,), }  \n", "t");
  CHECK(h.descr == "|u1");
  CHECK(h.fortran_order);
  CHECK(h.shape == std::vector<int64_t>{5});
  h = parse_npy_dict("{\"shape\": (), \"descr\": \"<f8\", \"fortran_order\": False}", "t");
  CHECK(h.shape.empty());
  CHECK(h.descr == "<f8");

  REQUIRE_THROWS_AS(parse_npy_dict("{'descr': '<f4'}", "a.npz: x"), DatasetError);
  REQUIRE_THROWS_WITH(parse_npy_dict("{'descr': '<f4'}", "a.npz: x"),
                      Contains("a.npz: x: malformed .npy header at character 16: missing one of "
                               "the keys 'descr', 'fortran_order', 'shape'"));
  REQUIRE_THROWS_WITH(
      parse_npy_dict("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}", "t"),
      Contains("descr is not a simple dtype string"));
  REQUIRE_THROWS_WITH(
      parse_npy_dict("{'descr': '<f4', 'fortran_order': False, 'shape': (1, x)}", "t"),
      Contains("expected a non-negative integer"));
  REQUIRE_THROWS_WITH(parse_npy_dict("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", "t"),
                      Contains("expected True or False"));
  REQUIRE_THROWS_WITH(
      parse_npy_dict("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", "t"),
      Contains("unexpected key 'x'"));
  REQUIRE_THROWS_WITH(
      parse_npy_dict("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} junk", "t"),
      Contains("text after the closing '}'"));
  REQUIRE_THROWS_WITH(parse_npy_dict("{'descr: '<f4'", "t"), Contains("expected ':'"));

  const std::string v2 = std::string("\x93NUMPY\x02\x00\x10\x00\x00\x00", 12);
  CHECK(parse_npy_preamble(bytes(v2), v2.size(), "t").dict_bytes == 16);
  CHECK(parse_npy_preamble(bytes(v2), v2.size(), "t").prefix_bytes == 12);
  const std::string huge = std::string("\x93NUMPY\x03\x00\x00\x00\x00\x01", 12);
  REQUIRE_THROWS_WITH(parse_npy_preamble(bytes(huge), huge.size(), "t"),
                      "t: implausible .npy header length 16777216 at byte 8");
  REQUIRE_THROWS_WITH(parse_npy_preamble(bytes(v2), 11, "t"),
                      "t: not an .npy array: 11 bytes, shorter than the 12-byte preamble of "
                      "version 2.0");
}

TEST_CASE("npy dtypes: little-endian integers and floats, single bytes in any order", "[npy]") {
  CHECK(npy_dtype("|u1")->kind == NpyDtype::Kind::kUnsigned);
  CHECK(npy_dtype("|i1")->kind == NpyDtype::Kind::kSigned);
  CHECK(npy_dtype("<i8")->bytes == 8);
  CHECK(npy_dtype("<f4")->kind == NpyDtype::Kind::kFloat);
  CHECK(npy_dtype("<f8")->bytes == 8);
  CHECK_FALSE(npy_dtype(">i4").has_value());
  CHECK_FALSE(npy_dtype("<f2").has_value());
  CHECK_FALSE(npy_dtype("|b1").has_value());
  CHECK_FALSE(npy_dtype("<c8").has_value());
  CHECK_FALSE(npy_dtype("<U10").has_value());
}

}  // namespace
}  // namespace safsim
