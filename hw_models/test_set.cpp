#include "hw_models/test_set.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "base/errors.h"
#include "base/input_files.h"
#include "base/output_files.h"
#include "base/random_stream.h"

namespace safsim {
namespace {

// Order-sensitive digest: every value is folded in through the SplitMix64 finaliser.
class Digest {
 public:
  void add(uint64_t v) { h_ = mix64(h_ ^ (v + 0x9e3779b97f4a7c15ULL)); }
  void add_float(float f) {
    uint32_t bits = 0;
    std::memcpy(&bits, &f, sizeof bits);
    add(bits);
  }
  void add_shape(const Shape& s) {
    add(uint64_t(s.c));
    add(uint64_t(s.h));
    add(uint64_t(s.w));
  }
  void add_quant(const ActQuant& q) {
    add_float(q.scale);
    add(uint64_t(q.bits));
    add(uint64_t(int64_t{q.qmin}));
    add(uint64_t(int64_t{q.qmax}));
  }
  template <typename T>
  void add_ints(const std::vector<T>& v) {
    add(v.size());
    for (const T x : v) {
      add(uint64_t(int64_t{x}));
    }
  }
  uint64_t value() const { return h_; }

 private:
  uint64_t h_ = 0x5afe5e1f7e57ULL;
};

}  // namespace

std::string deployed_model_hash(const QuantModel& qm, const DeployedWeights& weights) {
  Digest d;
  d.add_shape(qm.input_shape);
  d.add_quant(qm.input_q);
  d.add(uint64_t(qm.accumulator_bits));
  for (size_t l = 0; l < qm.layers.size(); ++l) {
    const QLayer& L = qm.layers[l];
    d.add(uint64_t(L.kind));
    d.add_ints(L.inputs);
    d.add_shape(L.in_shape);
    d.add_shape(L.out_shape);
    d.add_quant(L.out_q);
    d.add(uint64_t(L.activation));
    d.add_ints(L.bias);
    for (const float b : L.bias_float) {
      d.add_float(b);
    }
    for (const Requant& r : L.requant) {
      d.add(uint64_t(int64_t{r.multiplier}));
      d.add(uint64_t(r.shift));
    }
    for (const Requant& r : L.add_requant) {
      d.add(uint64_t(int64_t{r.multiplier}));
      d.add(uint64_t(r.shift));
    }
    d.add_ints(L.lut);
    // Added by later layer kinds and options; absent (and so not hashed) in the papers' models,
    // whose digests stay what they were.
    if (L.groups != 1 || !L.pad_code.empty() || !L.neg_requant.empty() ||
        L.activation == Activation::kClip || !L.channel_map.empty() || L.geom.dilation_h != 1 ||
        L.geom.dilation_w != 1) {
      d.add(uint64_t(L.groups));
      d.add(uint64_t(L.geom.dilation_h));
      d.add(uint64_t(L.geom.dilation_w));
      d.add_ints(L.pad_code);
      for (const Requant& r : L.neg_requant) {
        d.add(uint64_t(int64_t{r.multiplier}));
        d.add(uint64_t(r.shift));
      }
      d.add(uint64_t(int64_t{L.clip_lo}));
      d.add(uint64_t(int64_t{L.clip_hi}));
      for (const ChannelSource& c : L.channel_map) {
        d.add(uint64_t(c.input));
        d.add(uint64_t(c.channel));
      }
    }
    if (L.kind == QOpKind::kArray) {
      // Decoded words: what the PEs multiply with, whatever the encoder stored.
      d.add_ints(weights.read_path.decode_words(weights.stored[l]));
    }
  }
  return fmt::format("{:016x}", d.value());
}

TestImage golden_image(const Logits& logits, int row) {
  TestImage t;
  t.golden_top1 = logits.top1(row);
  const size_t begin = size_t(row) * logits.classes;
  if (logits.is_float) {
    t.golden_values.assign(logits.values.begin() + begin,
                           logits.values.begin() + begin + logits.classes);
  } else {
    t.golden_codes.assign(logits.codes.begin() + begin,
                          logits.codes.begin() + begin + logits.classes);
  }
  return t;
}

SelfTestVerdict judge_self_test(const TestSet& set, const Logits& outputs,
                                const SelfTestCriterion& criterion) {
  if (outputs.images != int(set.images.size())) {
    throw std::logic_error("judge_self_test: one output row per test image expected");
  }
  SelfTestVerdict v;
  for (int i = 0; i < outputs.images; ++i) {
    const TestImage& g = set.images[size_t(i)];
    if (outputs.top1(i) != g.golden_top1) {
      ++v.mismatches;
    }
    for (int c = 0; c < outputs.classes; ++c) {
      const double golden = set.is_float ? double(g.golden_values[size_t(c)])
                                         : double(set.logit_scale) * g.golden_codes[size_t(c)];
      v.max_logit_distance = std::max(v.max_logit_distance, std::abs(outputs.value(i, c) - golden));
    }
  }
  v.fault_detected =
      v.mismatches >= criterion.min_mismatches ||
      (criterion.logit_threshold > 0.0 && v.max_logit_distance > criterion.logit_threshold);
  return v;
}

nlohmann::ordered_json to_json(const TestSet& t) {
  nlohmann::ordered_json j;
  j["strategy"] = t.strategy;
  j["count"] = t.images.size();
  j["dataset"] = t.dataset;
  j["model"] = t.model;
  j["model_hash"] = t.model_hash;
  j["is_float"] = t.is_float;
  j["logit_scale"] = t.logit_scale;
  j["selection_seconds"] = t.selection_seconds;
  j["config"] = t.config;
  nlohmann::ordered_json images = nlohmann::ordered_json::array();
  for (const TestImage& im : t.images) {
    nlohmann::ordered_json e;
    e["index"] = im.index;
    e["score"] = im.score;
    e["golden_top1"] = im.golden_top1;
    if (t.is_float) {
      e["golden_logits"] = im.golden_values;
    } else {
      e["golden_logits"] = im.golden_codes;
    }
    images.push_back(std::move(e));
  }
  j["images"] = std::move(images);
  return j;
}

namespace {

/// An integer field in [lo, hi]; a float, a string or a value out of range is an error (get<int>
/// would truncate 2^40 silently).
int64_t int_field(const nlohmann::json& e, const char* key, int64_t lo, int64_t hi) {
  const nlohmann::json& v = e.at(key);
  if (!v.is_number_integer()) {
    throw UserError(fmt::format("{} must be an integer, got {}", key, v.dump()));
  }
  const bool in_range = v.is_number_unsigned() ? v.get<uint64_t>() <= uint64_t(hi)
                                               : v.get<int64_t>() >= lo && v.get<int64_t>() <= hi;
  if (!in_range) {
    throw UserError(fmt::format("{} must be in [{}, {}], got {}", key, lo, hi, v.dump()));
  }
  return v.get<int64_t>();
}

/// A finite number in [lo, hi].
double number_field(const nlohmann::json& e, const char* key, double lo, double hi) {
  const nlohmann::json& v = e.at(key);
  const double x = v.is_number() ? v.get<double>() : std::nan("");
  if (!(x >= lo && x <= hi)) {
    throw UserError(fmt::format("{} must be a number in [{}, {}], got {}", key, lo, hi, v.dump()));
  }
  return x;
}

/// ":line:col" of byte `at` (0-based) of `text`.
std::string line_col(const std::string& text, size_t at) {
  at = std::min(at, text.size());
  const size_t line_start = at == 0 ? std::string::npos : text.rfind('\n', at - 1);
  const size_t column = line_start == std::string::npos ? at + 1 : at - line_start;
  return fmt::format(":{}:{}", std::count(text.begin(), text.begin() + long(at), '\n') + 1, column);
}

/// ":line:col" of the number an out_of_range message quotes ("number overflow parsing
/// '1e400'"), found in the text; "" when it quotes none.
std::string position_of_number(const std::string& text, const std::string& message) {
  const std::string quote = "parsing '";
  const size_t a = message.find(quote);
  const size_t b = a == std::string::npos ? a : message.find('\'', a + quote.size());
  if (b == std::string::npos) {
    return "";
  }
  const size_t at = text.find(message.substr(a + quote.size(), b - a - quote.size()));
  return at == std::string::npos ? "" : line_col(text, at);
}

}  // namespace

TestSet test_set_from_json(const nlohmann::json& j, const std::string& path) {
  TestSet t;
  try {
    t.strategy = j.at("strategy").get<std::string>();
    t.dataset = j.at("dataset").get<std::string>();
    t.model = j.at("model").get<std::string>();
    t.model_hash = j.at("model_hash").get<std::string>();
    t.is_float = j.at("is_float").get<bool>();
    t.logit_scale = float(number_field(j, "logit_scale", 1e-30, 1e30));
    if (!(t.logit_scale > 0.0f)) {
      throw UserError("logit_scale must be positive");
    }
    t.selection_seconds = j.value("selection_seconds", 0.0);
    if (j.contains("config")) {
      t.config = j.at("config");
    }
    for (const auto& e : j.at("images")) {
      TestImage im;
      im.index = int(int_field(e, "index", 0, std::numeric_limits<int32_t>::max()));
      im.score = e.at("score").get<double>();
      im.golden_top1 = int(int_field(e, "golden_top1", 0, std::numeric_limits<int32_t>::max()));
      const nlohmann::json& logits = e.at("golden_logits");
      if (!logits.is_array()) {
        throw UserError(fmt::format("golden_logits must be a list, got {}", logits.dump()));
      }
      for (const nlohmann::json& l : logits) {
        const nlohmann::json one = {{"golden_logits", l}};
        if (t.is_float) {
          im.golden_values.push_back(float(number_field(one, "golden_logits", -3.4e38, 3.4e38)));
        } else {
          im.golden_codes.push_back(
              int32_t(int_field(one, "golden_logits", std::numeric_limits<int32_t>::min(),
                                std::numeric_limits<int32_t>::max())));
        }
      }
      t.images.push_back(std::move(im));
    }
  } catch (const nlohmann::json::exception& e) {
    throw UserError(fmt::format("{}: not a test set: {}", path, e.what()));
  } catch (const UserError& e) {
    throw UserError(fmt::format("{}: {}", path, e.what()));
  }
  if (t.images.empty()) {
    throw UserError(fmt::format("{}: the test set has no images", path));
  }
  return t;
}

void write_test_set(const TestSet& t, const std::string& path) {
  write_file_atomic(path, to_json(t).dump(2) + "\n");
}

TestSet read_test_set(const std::string& path) {
  const InputFile f = read_input_file(path);
  if (!f.problem.empty()) {
    throw UserError(fmt::format("test set '{}': cannot open: {}", path, f.problem));
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(f.bytes);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based: the byte after the last one read.
    throw UserError(fmt::format("{}{}: test set: {}", path,
                                line_col(f.bytes, e.byte > 0 ? e.byte - 1 : 0), e.what()));
  } catch (const nlohmann::json::exception& e) {
    // A number beyond double (1e400) is out_of_range, thrown while parsing, without a position.
    throw UserError(fmt::format("{}{}: test set: a number beyond the range of a double: {}", path,
                                position_of_number(f.bytes, e.what()), e.what()));
  }
  return test_set_from_json(j, path);
}

}  // namespace safsim
