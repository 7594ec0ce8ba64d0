// numpy's .npy format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
// the header parser the .npz dataset reader uses and a writer for float32 and int32 arrays.
//   std::string bytes = npy_bytes({2, 10}, logits);   // what np.save writes for float32 (2, 10)
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace safsim {

/// The element types the readers take: unsigned or signed integers and IEEE floats, little-endian.
struct NpyDtype {
  enum class Kind { kUnsigned, kSigned, kFloat };
  Kind kind = Kind::kUnsigned;
  int bytes = 1;  // 1, 2, 4 or 8 (floats: 4 or 8)
};

/// The dtype of a descr such as "|u1", "<i8" or "<f4"; nullopt for any other (big-endian,
/// bool, complex, strings, structured types).
std::optional<NpyDtype> npy_dtype(const std::string& descr);

/// The fixed start of an .npy file: magic "\x93NUMPY", version and the header dict's length.
struct NpyPreamble {
  int major = 1;            // 1, 2 or 3
  size_t prefix_bytes = 0;  // 10 (version 1.0) or 12 (2.0, 3.0)
  size_t dict_bytes = 0;    // the header dict that follows (padded, ends in '\n')
};

/// The preamble at the start of `data` (`size` bytes, at least 12 or the whole file). Throws
/// DatasetError starting with `context` for a wrong magic, an unknown version, a file too short
/// or a header dict longer than 1 MiB.
NpyPreamble parse_npy_preamble(const uint8_t* data, size_t size, const std::string& context);

/// The header dict: {'descr': '<f4', 'fortran_order': False, 'shape': (10, 3, 32, 32), }.
struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;  // () for a scalar
};

/// Parses the dict text (a Python literal with exactly the keys descr, fortran_order and shape).
/// Throws DatasetError starting with `context` and saying what is malformed.
NpyHeader parse_npy_dict(std::string_view text, const std::string& context);

/// A whole .npy file (version 1.0, header padded to a multiple of 64 bytes as numpy pads it),
/// little-endian float32 ('<f4') or int32 ('<i4'). values.size() must be the product of `shape`.
std::string npy_bytes(const std::vector<int64_t>& shape, const std::vector<float>& values);
std::string npy_bytes(const std::vector<int64_t>& shape, const std::vector<int32_t>& values);

/// "10x3x32x32" ("scalar" for an empty shape), for messages.
std::string npy_shape_text(const std::vector<int64_t>& shape);

}  // namespace safsim
