// QuantModel bytes and back: every field of every layer kind survives, bit for bit (floats
// included: -0, infinities, NaN payloads), and damaged bytes are refused, never half read.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>

#include "workloads/quant_model_io.h"

namespace safsim {
namespace {

uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

std::vector<uint32_t> bits_of(const std::vector<float>& v) {
  std::vector<uint32_t> out;
  for (float f : v) {
    out.push_back(bits_of(f));
  }
  return out;
}

void check_same(const ActQuant& a, const ActQuant& b) {
  CHECK(bits_of(a.scale) == bits_of(b.scale));
  CHECK(a.bits == b.bits);
  CHECK(a.is_unsigned == b.is_unsigned);
  CHECK(a.qmin == b.qmin);
  CHECK(a.qmax == b.qmax);
}

void check_same(const std::vector<Requant>& a, const std::vector<Requant>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].multiplier == b[i].multiplier);
    CHECK(a[i].shift == b[i].shift);
  }
}

void check_same(const QLayer& a, const QLayer& b) {
  CHECK(a.name == b.name);
  CHECK(a.kind == b.kind);
  CHECK(a.is_linear == b.is_linear);
  CHECK(a.inputs == b.inputs);
  CHECK(a.in_shape == b.in_shape);
  CHECK(a.out_shape == b.out_shape);
  const WindowGeom &g = a.geom, &h = b.geom;
  CHECK(std::vector<int>{g.kernel_h, g.kernel_w, g.stride_h, g.stride_w, g.pad_top, g.pad_left,
                         g.pad_bottom, g.pad_right, g.dilation_h, g.dilation_w} ==
        std::vector<int>{h.kernel_h, h.kernel_w, h.stride_h, h.stride_w, h.pad_top, h.pad_left,
                         h.pad_bottom, h.pad_right, h.dilation_h, h.dilation_w});
  CHECK(g.count_include_pad == h.count_include_pad);
  check_same(a.out_q, b.out_q);
  CHECK(a.out_channels == b.out_channels);
  CHECK(a.reduction == b.reduction);
  CHECK(a.groups == b.groups);
  CHECK(a.weight_words == b.weight_words);
  CHECK(bits_of(a.weight_scale) == bits_of(b.weight_scale));
  CHECK(a.bias == b.bias);
  CHECK(bits_of(a.bias_float) == bits_of(b.bias_float));
  CHECK(a.pad_code == b.pad_code);
  CHECK(bits_of(a.pad_value) == bits_of(b.pad_value));
  check_same(a.requant, b.requant);
  CHECK(a.activation == b.activation);
  CHECK(a.unary.fn == b.unary.fn);
  CHECK(bits_of(std::vector<float>{a.unary.alpha, a.unary.beta, a.unary.lo, a.unary.hi}) ==
        bits_of(std::vector<float>{b.unary.alpha, b.unary.beta, b.unary.lo, b.unary.hi}));
  CHECK(bits_of(a.unary.slope) == bits_of(b.unary.slope));
  check_same(a.pre_q, b.pre_q);
  CHECK(a.lut == b.lut);
  check_same(a.neg_requant, b.neg_requant);
  CHECK(a.clip_lo == b.clip_lo);
  CHECK(a.clip_hi == b.clip_hi);
  check_same(a.add_requant, b.add_requant);
  CHECK(a.add_relu == b.add_relu);
  CHECK(a.channel_map == b.channel_map);
}

void check_same(const QuantModel& a, const QuantModel& b) {
  CHECK(a.name == b.name);
  CHECK(a.weight_format.format == b.weight_format.format);
  CHECK(a.weight_format.bits == b.weight_format.bits);
  CHECK(a.per_channel == b.per_channel);
  CHECK(a.accumulator_bits == b.accumulator_bits);
  CHECK(a.input_shape == b.input_shape);
  check_same(a.input_q, b.input_q);
  REQUIRE(a.layers.size() == b.layers.size());
  for (size_t i = 0; i < a.layers.size(); ++i) {
    INFO("layer " << i);
    check_same(a.layers[i], b.layers[i]);
  }
}

/// Every field away from its default, one layer of each kind.
QuantModel every_field() {
  QuantModel m;
  m.name = "every field";
  m.weight_format = WordFormat{WeightFormat::kOffsetBinary, 6};
  m.per_channel = true;
  m.accumulator_bits = 24;
  m.input_shape = Shape{3, 5, 7};
  m.input_q = ActQuant{0.25f, 9, true, 0, 511};
  for (int k = 0; k <= static_cast<int>(QOpKind::kMul); ++k) {
    QLayer l;
    l.name = "layer " + std::to_string(k);
    l.kind = static_cast<QOpKind>(k);
    l.is_linear = k % 2 == 0;
    l.inputs = {-1, k};
    l.in_shape = Shape{k + 1, 2, 3};
    l.out_shape = Shape{4, k + 2, 1};
    l.geom = WindowGeom{2, 3, 4, 5, 6, 7, 8, 9, true, 10, 11};
    l.out_q = ActQuant{-0.0f, 7, k % 2 == 1, -63 + k, 63};
    l.out_channels = 4 + k;
    l.reduction = 12 + k;
    l.groups = 2;
    l.weight_words = {0u, 0xFFFFFFFFu, uint32_t(k)};
    l.weight_scale = {1e-30f, std::numeric_limits<float>::denorm_min(), 3.5f};
    l.bias = {-7, int32_t(0x80000000u), k};
    l.bias_float = {std::numeric_limits<float>::infinity(), -2.0f};
    l.pad_code = {5, -5};
    uint32_t nan_bits = 0x7FC01234u;
    float nan;
    std::memcpy(&nan, &nan_bits, sizeof nan);
    l.pad_value = {nan, 0.5f};
    l.requant = {{1 << 30, 31}, {(1 << 30) + k, 7}};
    l.activation = static_cast<Activation>(k % 5);
    l.unary.fn = static_cast<UnaryFn>(k % 8);
    l.unary.alpha = 0.125f;
    l.unary.beta = -0.5f;
    l.unary.lo = -std::numeric_limits<float>::infinity();
    l.unary.hi = 6.0f;
    l.unary.slope = {0.1f, 0.2f, 0.3f};
    l.pre_q = ActQuant{0.75f, 10, false, -511, 511};
    l.lut = {-3, 0, 3, k};
    l.neg_requant = {{(1 << 30) + 3, 12}};
    l.clip_lo = -9;
    l.clip_hi = 99;
    l.add_requant = {{(1 << 30) + 1, 20}, {(1 << 30) + 2, 20}};
    l.add_relu = true;
    l.channel_map = {{0, 3}, {1, k}};
    m.layers.push_back(l);
  }
  return m;
}

TEST_CASE("a QuantModel read back from its bytes equals it in every field", "[quant_io]") {
  const QuantModel m = every_field();
  const std::string bytes = serialize_quant_model(m);
  const std::optional<QuantModel> back = parse_quant_model(bytes);
  REQUIRE(back.has_value());
  check_same(m, *back);
  CHECK(serialize_quant_model(*back) == bytes);
  const std::optional<QuantModel> empty = parse_quant_model(serialize_quant_model(QuantModel{}));
  REQUIRE(empty.has_value());
  CHECK(empty->layers.empty());
}

TEST_CASE("damaged QuantModel bytes are refused, never half read", "[quant_io]") {
  const std::string bytes = serialize_quant_model(every_field());
  for (size_t n : {size_t{0}, size_t{3}, bytes.size() / 2, bytes.size() - 1}) {
    INFO("first " << n << " bytes");
    CHECK_FALSE(parse_quant_model(bytes.substr(0, n)).has_value());
  }
  CHECK_FALSE(parse_quant_model(bytes + '\0').has_value());
  std::string bad_length = bytes;
  std::memset(bad_length.data(), 0xFF, 8);  // the name's length: far beyond the bytes
  CHECK_FALSE(parse_quant_model(bad_length).has_value());
  std::string bad_enum = bytes;
  const size_t format_at = 8 + std::string("every field").size();
  bad_enum[format_at] = 99;  // weight_format.format
  CHECK_FALSE(parse_quant_model(bad_enum).has_value());
}

}  // namespace
}  // namespace safsim
