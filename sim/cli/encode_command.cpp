// `safsim encode`: the same encode -> stuck bits -> decode path deployment uses, for one word.
#include "sim/cli/encode_command.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <bitset>
#include <charconv>
#include <memory>
#include <sstream>
#include <vector>

#include "base/did_you_mean.h"
#include "base/errors.h"
#include "memory/encoders/encoder.h"

namespace safsim {
namespace {

MitigationScheme parse_scheme(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& n : mitigation_scheme_names()) {
    if (name == n.first) {
      return n.second;
    }
    names.emplace_back(n.first);
  }
  const std::string hint = did_you_mean(name, names);
  throw UserError(fmt::format("--scheme: unknown scheme '{}' (allowed: {}){}", name,
                              fmt::join(names, ", "),
                              hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)));
}

StuckBits parse_defects(const std::string& text, int cells) {
  StuckBits s;
  if (text.empty()) {
    return s;
  }
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const size_t colon = item.find(':');
    int bit = -1;
    int value = -1;
    size_t used = 0;
    try {
      if (item.size() >= 4 && item[0] == 'b' && colon != std::string::npos) {
        bit = std::stoi(item.substr(1, colon - 1), &used);
        used = used == colon - 1 ? 1 : 0;
      }
    } catch (const std::exception&) {
      used = 0;
    }
    const std::string v = colon == std::string::npos ? "" : item.substr(colon + 1);
    if (v == "0" || v == "1") {
      value = v[0] - '0';
    }
    if (used == 0 || bit < 0 || value < 0) {
      throw UserError(
          fmt::format("--defects: '{}' is not b<bit>:<0|1> (example: --defects b0:1,b7:0)", item));
    }
    if (bit >= cells) {
      throw UserError(
          fmt::format("--defects: bit {} in '{}' is outside the {}-cell word", bit, item, cells));
    }
    if ((s.mask >> bit) & 1u) {
      throw UserError(fmt::format("--defects: bit {} is listed twice", bit));
    }
    s.mask |= 1u << bit;
    s.values |= uint32_t(value) << bit;
  }
  return s;
}

std::string bits_string(uint32_t w, int n) {
  std::string s;
  for (int b = n - 1; b >= 0; --b) {
    s += ((w >> b) & 1u) ? '1' : '0';
  }
  return s;
}

}  // namespace

EncodeRequest make_encode_request(const std::string& scheme, int bits, const std::string& format,
                                  int64_t value, const std::string& defects) {
  EncodeRequest r;
  r.scheme = parse_scheme(scheme);
  if (bits < 2 || bits > 16) {
    throw UserError(fmt::format("--bits must be in [2, 16], got {}", bits));
  }
  if (format == "unsigned" || format == "offset_binary") {
    r.format = {WeightFormat::kOffsetBinary, bits};
  } else if (format == "twos_complement") {
    r.format = {WeightFormat::kTwosComplement, bits};
  } else {
    throw UserError(fmt::format("--format must be unsigned or twos_complement, got '{}'", format));
  }
  const bool is_unsigned = r.format.format == WeightFormat::kOffsetBinary;
  const int64_t lo = is_unsigned ? 0 : r.format.min_value();
  const int64_t hi = is_unsigned ? int64_t{2} * r.format.max_value() : r.format.max_value();
  if (value < lo || value > hi) {
    throw UserError(fmt::format("--value {} is outside the {}-bit {} range [{}, {}]", value, bits,
                                format, lo, hi));
  }
  r.value = value;
  r.stuck = parse_defects(defects, stored_word_bits(r.scheme, r.format, 1));
  return r;
}

nlohmann::ordered_json run_encode(const EncodeRequest& r) {
  const WordFormat& f = r.format;
  const bool is_unsigned = f.format == WeightFormat::kOffsetBinary;
  const uint32_t intended = is_unsigned ? uint32_t(r.value) : f.to_word(int32_t(r.value));
  const uint32_t written = encode_word(r.scheme, f, intended, r.stuck);
  const uint32_t stored = apply_stuck_bits(written, r.stuck);
  const uint32_t decoded = decode_read_path(r.scheme, f, stored);
  // Unsigned words print as words (001's convention); two's complement as signed values.
  auto shown = [&](uint32_t w) -> int64_t {
    return is_unsigned ? int64_t(w & f.mask()) : int64_t(f.to_int(w));
  };
  const int cells = stored_word_bits(r.scheme, f, 1);
  // Non-silent: a stuck cell whose value differs from the plain (unencoded) word's bit.
  const MitigationScheme plain_scheme =
      scheme_row(r.scheme).ecc ? r.scheme : MitigationScheme::kNone;
  const uint32_t plain = encode_word(plain_scheme, f, intended, {});
  nlohmann::ordered_json j;
  j["scheme"] = to_string(r.scheme);
  j["bits"] = f.bits;
  j["value"] = r.value;
  j["stored"] = shown(stored);
  j["decoded"] = shown(decoded);
  j["deviation"] = std::llabs(shown(decoded) - r.value);
  j["format"] = is_unsigned ? "unsigned" : "twos_complement";
  j["written"] = shown(written);
  j["stored_bits"] = bits_string(stored, cells);
  j["decoded_bits"] = bits_string(decoded, f.bits);
  j["non_silent"] = std::bitset<32>(r.stuck.mask & (r.stuck.values ^ plain)).count();
  return j;
}

void register_encode_command(CLI::App& app) {
  struct Args {
    std::string scheme = "none";
    int bits = 8;
    std::string format = "unsigned";
    std::string value;  // parsed strictly below: CLI11 reads "" as 0
    std::string defects;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "encode", "encode one weight with a scheme, apply stuck cells, decode it (JSON)");
  cmd->add_option("--scheme", args->scheme,
                  "none, addsub, lsb, c1, optimal, optimal_flip or secded")
      ->capture_default_str();
  cmd->add_option("--bits", args->bits, "weight bits Q (2..16)")->capture_default_str();
  cmd->add_option("--format", args->format,
                  "unsigned (offset-binary word, 001's convention) or twos_complement")
      ->capture_default_str();
  cmd->add_option("--value", args->value,
                  "the weight: an unsigned word, or a signed value for twos_complement")
      ->required();
  cmd->add_option("--defects", args->defects, "stuck cells, e.g. b0:1,b7:0 (bit:stuck value)");
  cmd->callback([args] {
    int64_t value = 0;
    const char* end = args->value.data() + args->value.size();
    const auto [ptr, ec] = std::from_chars(args->value.data(), end, value);
    if (args->value.empty() || ec != std::errc() || ptr != end) {
      throw UserError(fmt::format("--value must be an integer, got '{}'", args->value));
    }
    const EncodeRequest r =
        make_encode_request(args->scheme, args->bits, args->format, value, args->defects);
    fmt::print("{}\n", run_encode(r).dump());
  });
}

}  // namespace safsim
