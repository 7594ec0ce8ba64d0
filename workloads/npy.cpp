// .npy header parsing (a tiny reader of the Python literal numpy writes) and the writer.
#include "workloads/npy.h"

#include <fmt/format.h>

#include <cstring>

#include "base/errors.h"

namespace safsim {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicBytes = 6;
constexpr size_t kMaxDictBytes = size_t{1} << 20;
constexpr size_t kAlign = 64;             // numpy's ARRAY_ALIGN
constexpr size_t kGrowthAxisDigits = 21;  // numpy's GROWTH_AXIS_MAX_DIGITS

/// A cursor over the header dict's text.
class DictParser {
 public:
  DictParser(std::string_view text, const std::string& context) : s_(text), context_(context) {}

  NpyHeader parse() {
    NpyHeader h;
    bool have_descr = false, have_order = false, have_shape = false;
    expect('{');
    for (;;) {
      skip_space();
      if (peek() == '}') {
        ++pos_;
        break;
      }
      const std::string key = string_literal();
      expect(':');
      if (key == "descr") {
        skip_space();
        if (peek() != '\'' && peek() != '"') {
          fail("descr is not a simple dtype string (structured arrays are not read)");
        }
        h.descr = string_literal();
        have_descr = true;
      } else if (key == "fortran_order") {
        h.fortran_order = boolean();
        have_order = true;
      } else if (key == "shape") {
        h.shape = tuple();
        have_shape = true;
      } else {
        fail(fmt::format("unexpected key '{}'", key));
      }
      skip_space();
      if (peek() == ',') {
        ++pos_;
      } else if (peek() != '}') {
        fail("expected ',' or '}'");
      }
    }
    skip_space();
    if (pos_ != s_.size()) {
      fail("text after the closing '}'");
    }
    if (!have_descr || !have_order || !have_shape) {
      fail("missing one of the keys 'descr', 'fortran_order', 'shape'");
    }
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw DatasetError(fmt::format("{}: malformed .npy header at character {}: {} (header: {})",
                                   context_, pos_, what, std::string(s_.substr(0, 200))));
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t')) {
      ++pos_;
    }
  }
  void expect(char c) {
    skip_space();
    if (peek() != c) {
      fail(fmt::format("expected '{}'", c));
    }
    ++pos_;
  }
  std::string string_literal() {
    skip_space();
    const char quote = peek();
    if (quote != '\'' && quote != '"') {
      fail("expected a quoted string");
    }
    const size_t end = s_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) {
      fail("unterminated string");
    }
    std::string out(s_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return out;
  }
  bool boolean() {
    skip_space();
    if (s_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (s_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    fail("expected True or False");
  }
  int64_t integer() {
    skip_space();
    const size_t start = pos_;
    int64_t v = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      if (v > (INT64_MAX - 9) / 10) {
        fail("dimension too large");
      }
      v = v * 10 + (s_[pos_] - '0');
      ++pos_;
    }
    if (pos_ == start) {
      fail("expected a non-negative integer");
    }
    if (peek() == 'L') {
      ++pos_;  // Python 2's long suffix
    }
    return v;
  }
  std::vector<int64_t> tuple() {
    expect('(');
    std::vector<int64_t> dims;
    for (;;) {
      skip_space();
      if (peek() == ')') {
        ++pos_;
        return dims;
      }
      dims.push_back(integer());
      skip_space();
      if (peek() == ',') {
        ++pos_;
      } else if (peek() != ')') {
        fail("expected ',' or ')' in the shape");
      }
      if (dims.size() > 32) {
        fail("more than 32 dimensions");
      }
    }
  }

  std::string_view s_;
  const std::string& context_;
  size_t pos_ = 0;
};

uint32_t le32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

template <class T>
std::string npy_file(const std::vector<int64_t>& shape, const std::vector<T>& values,
                     const char* descr) {
  int64_t count = 1;
  for (int64_t d : shape) {
    count *= d;
  }
  if (count != static_cast<int64_t>(values.size())) {
    throw std::invalid_argument(fmt::format("npy_bytes: shape {} holds {} values, got {}",
                                            npy_shape_text(shape), count, values.size()));
  }
  // Python's repr of the shape tuple: "()", "(5,)", "(2, 3)".
  std::string shape_repr = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    shape_repr += (i > 0 ? ", " : "") + std::to_string(shape[i]);
  }
  shape_repr += shape.size() == 1 ? ",)" : ")";
  std::string dict =
      fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", descr, shape_repr);
  if (!shape.empty()) {
    // numpy leaves room to grow the first axis in place.
    dict.append(kGrowthAxisDigits - std::to_string(shape[0]).size(), ' ');
  }
  const size_t unpadded = 10 + dict.size() + 1;  // preamble, dict, '\n'
  dict.append(kAlign - unpadded % kAlign, ' ');
  dict += '\n';

  std::string out(kMagic, kMagicBytes);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>(dict.size() >> 8);
  out += dict;
  for (const T& v : values) {
    uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    for (int b = 0; b < 4; ++b) {
      out += static_cast<char>(bits >> (8 * b));
    }
  }
  return out;
}

}  // namespace

std::optional<NpyDtype> npy_dtype(const std::string& descr) {
  if (descr.size() != 3) {
    return std::nullopt;
  }
  const char order = descr[0], type = descr[1], size = descr[2];
  NpyDtype t;
  if (type == 'u') {
    t.kind = NpyDtype::Kind::kUnsigned;
  } else if (type == 'i') {
    t.kind = NpyDtype::Kind::kSigned;
  } else if (type == 'f') {
    t.kind = NpyDtype::Kind::kFloat;
  } else {
    return std::nullopt;
  }
  if (size != '1' && size != '2' && size != '4' && size != '8') {
    return std::nullopt;
  }
  t.bytes = size - '0';
  if (t.kind == NpyDtype::Kind::kFloat && t.bytes < 4) {
    return std::nullopt;  // float16 is not read
  }
  // A single byte has no byte order; wider types must be little-endian.
  const bool order_ok =
      t.bytes == 1 ? (order == '|' || order == '<' || order == '>' || order == '=') : order == '<';
  if (!order_ok) {
    return std::nullopt;
  }
  return t;
}

NpyPreamble parse_npy_preamble(const uint8_t* data, size_t size, const std::string& context) {
  if (size < 10 || std::memcmp(data, kMagic, kMagicBytes) != 0) {
    throw DatasetError(fmt::format(
        "{}: not an .npy array: {}", context,
        size < 10 ? fmt::format("{} bytes, shorter than the 10-byte .npy preamble", size)
                  : std::string("the magic string \\x93NUMPY is missing at byte 0")));
  }
  NpyPreamble p;
  p.major = data[6];
  if (p.major < 1 || p.major > 3 || data[7] != 0) {
    throw DatasetError(fmt::format("{}: .npy format version {}.{} (byte 6) is not 1.0, 2.0 or 3.0",
                                   context, data[6], data[7]));
  }
  if (p.major == 1) {
    p.prefix_bytes = 10;
    p.dict_bytes = size_t{data[8]} | size_t{data[9]} << 8;
  } else {
    if (size < 12) {
      throw DatasetError(fmt::format(
          "{}: not an .npy array: {} bytes, shorter than the 12-byte preamble of version {}.0",
          context, size, p.major));
    }
    p.prefix_bytes = 12;
    p.dict_bytes = le32(data + 8);
    if (p.dict_bytes > kMaxDictBytes) {
      throw DatasetError(
          fmt::format("{}: implausible .npy header length {} at byte 8", context, p.dict_bytes));
    }
  }
  return p;
}

NpyHeader parse_npy_dict(std::string_view text, const std::string& context) {
  return DictParser(text, context).parse();
}

std::string npy_bytes(const std::vector<int64_t>& shape, const std::vector<float>& values) {
  return npy_file(shape, values, "<f4");
}

std::string npy_bytes(const std::vector<int64_t>& shape, const std::vector<int32_t>& values) {
  return npy_file(shape, values, "<i4");
}

std::string npy_shape_text(const std::vector<int64_t>& shape) {
  if (shape.empty()) {
    return "scalar";
  }
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) {
    s += (i > 0 ? "x" : "") + std::to_string(shape[i]);
  }
  return s;
}

}  // namespace safsim
