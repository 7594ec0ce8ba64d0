// Strict YAML -> Config reading (config_reader.h). Numbers and bools must be plain scalars in
// the YAML 1.2 core forms: `"32"`, `3.5` for an int, `yes` for a bool and `.inf` are all errors.
#include "sim/config/reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <type_traits>

#include "base/did_you_mean.h"
#include "base/errors.h"
#include "sim/config/yaml_stall.h"

namespace safsim {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Skips a run of digits from `i`; returns how many there were.
size_t skip_digits(const std::string& s, size_t& i) {
  const size_t start = i;
  while (i < s.size() && is_digit(s[i])) {
    ++i;
  }
  return i - start;
}

/// [-+]?[0-9]+ (decimal only: a leading 0 is not octal, as in YAML 1.2).
bool is_integer_text(const std::string& s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  return skip_digits(s, i) > 0 && i == s.size();
}

/// [-+]?(digits[.digits?]|.digits)([eE][-+]?digits)?  (no inf/nan/hex: ranges are finite).
bool is_number_text(const std::string& s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  size_t mantissa_digits = skip_digits(s, i);
  if (i < s.size() && s[i] == '.') {
    ++i;
    mantissa_digits += skip_digits(s, i);
  }
  if (mantissa_digits == 0) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
      ++i;
    }
    if (skip_digits(s, i) == 0) {
      return false;
    }
  }
  return i == s.size();
}

/// Parses text that passed is_integer_text/is_number_text into T; false if it does not fit T.
template <class T>
bool parse_number(const std::string& text, T& out) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (*begin == '+') {
    ++begin;  // from_chars takes no '+'
  }
  if constexpr (std::is_unsigned_v<T>) {
    if (*begin == '-') {  // only -0 fits an unsigned key
      T magnitude = 0;
      const auto [ptr, ec] = std::from_chars(begin + 1, end, magnitude);
      out = 0;
      return ec == std::errc() && ptr == end && magnitude == 0;
    }
  }
  const auto [ptr, ec] = std::from_chars(begin, end, out);
  return ec == std::errc() && ptr == end;
}

std::string join_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string location(const std::string& source, const YAML::Mark& mark) {
  if (mark.is_null()) {
    return source;
  }
  return fmt::format("{}:{}:{}", source, mark.line + 1, mark.column + 1);
}

}  // namespace

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    default:
      break;
  }
  // Quoted or tagged scalars are strings in YAML, even when the text looks like a number.
  return node.Tag() == "?" ? fmt::format("'{}'", node.Scalar())
                           : fmt::format("the string \"{}\"", node.Scalar());
}

YAML::Mark ConfigReader::key_mark(const YAML::Node& map, const std::string& key) const {
  for (const auto& entry : map) {
    if (entry.first.IsScalar() && entry.first.Scalar() == key) {
      return entry.first.Mark();
    }
  }
  return YAML::Mark::null_mark();
}

void ConfigReader::fail_at(const std::string& path, const YAML::Mark& mark,
                           const std::string& message) const {
  const auto origin = source_.override_origin.find(path);
  if (origin != source_.override_origin.end()) {
    throw ConfigError(fmt::format("{}: {}", origin->second, message));
  }
  throw ConfigError(fmt::format("{}: {}", location(source_.name, mark), message));
}

void ConfigReader::fail(const char* key, const YAML::Node& node, const std::string& message) const {
  // yaml-cpp puts an empty value's mark at the next token, often on the next line.
  const YAML::Mark mark = node.IsNull() ? key_mark(map_, key) : node.Mark();
  fail_at(prefix_ + key, mark, message);
}

void ConfigReader::check_section(const YAML::Node& node, const std::string& path,
                                 const std::vector<ConfigKey>& keys, const char* ignored) const {
  if (node.IsNull()) {
    return;
  }
  if (!node.IsMap()) {
    fail_at(path, node.Mark(),
            fmt::format("{} must be a map of keys, got {}", path, describe(node)));
  }
  std::map<std::string, YAML::Mark> seen;
  for (const auto& entry : node) {
    const YAML::Node& key = entry.first;
    if (!key.IsScalar()) {
      fail_at(path, key.Mark(), fmt::format("keys must be names, got {}", describe(key)));
    }
    const std::string& name = key.Scalar();
    if (ignored != nullptr && name == ignored) {
      continue;
    }
    if (find_key(keys, name) == nullptr) {
      fail_at(join_path(path, name), key.Mark(),
              unknown_key_message(join_path(path, name), name, keys));
    }
    const auto [first, inserted] = seen.emplace(name, key.Mark());
    if (!inserted) {
      fail_at(join_path(path, name), key.Mark(),
              fmt::format("duplicate key '{}' (first at line {})", join_path(path, name),
                          first->second.line + 1));
    }
  }
}

std::string ConfigReader::plain_scalar(const char* key, const YAML::Node& node,
                                       const char* expected) const {
  if (!node.IsScalar() || node.Tag() != "?") {
    fail(key, node, fmt::format("{}{} must be {}, got {}", prefix_, key, expected, describe(node)));
  }
  return node.Scalar();
}

template <class T>
void ConfigReader::read_integer(const char* key, T& v, T lo, T hi) const {
  const YAML::Node node = map_[key];
  if (!node) {
    return;
  }
  const std::string text = plain_scalar(key, node, "an integer");
  if (!is_integer_text(text)) {
    fail(key, node, fmt::format("{}{} must be an integer, got '{}'", prefix_, key, text));
  }
  T parsed{};
  if (!parse_number(text, parsed) || parsed < lo || parsed > hi) {
    fail(key, node, fmt::format("{}{} must be in [{}, {}], got {}", prefix_, key, lo, hi, text));
  }
  v = parsed;
}

void ConfigReader::value(const char* key, int& v, int lo, int hi, const char* /*doc*/) {
  read_integer(key, v, lo, hi);
}

void ConfigReader::value(const char* key, int64_t& v, int64_t lo, int64_t hi, const char* /*doc*/) {
  read_integer(key, v, lo, hi);
}

void ConfigReader::value(const char* key, uint64_t& v, uint64_t lo, uint64_t hi,
                         const char* /*doc*/) {
  read_integer(key, v, lo, hi);
}

void ConfigReader::value(const char* key, double& v, double lo, double hi, const char* /*doc*/) {
  const YAML::Node node = map_[key];
  if (!node) {
    return;
  }
  const std::string text = plain_scalar(key, node, "a number");
  if (!is_number_text(text)) {
    fail(key, node, fmt::format("{}{} must be a number, got '{}'", prefix_, key, text));
  }
  double parsed = 0;
  // parse_number fails on overflow and underflow (1e999, 1e-999): both are outside any range.
  if (!parse_number(text, parsed) || parsed < lo || parsed > hi) {
    fail(key, node, fmt::format("{}{} must be in [{}, {}], got {}", prefix_, key, lo, hi, text));
  }
  v = parsed;
}

void ConfigReader::value(const char* key, bool& v, const char* /*doc*/) {
  const YAML::Node node = map_[key];
  if (!node) {
    return;
  }
  // Only the YAML 1.2 core spellings: YAML 1.1's yes/no/on/off/y/n are typo-prone.
  const std::string text = plain_scalar(key, node, "true or false");
  if (text == "true" || text == "True" || text == "TRUE") {
    v = true;
  } else if (text == "false" || text == "False" || text == "FALSE") {
    v = false;
  } else {
    fail(key, node, fmt::format("{}{} must be true or false, got '{}'", prefix_, key, text));
  }
}

void ConfigReader::value(const char* key, std::string& v, const char* /*doc*/) {
  const YAML::Node node = map_[key];
  if (!node) {
    return;
  }
  // Any scalar is a string (`model: 123` is "123"); null is not, so `file:` is an error.
  if (!node.IsScalar()) {
    fail(key, node, fmt::format("{}{} must be a string, got {}", prefix_, key, describe(node)));
  }
  v = node.Scalar();
}

void ConfigReader::value(const char* key, std::vector<std::string>& v, const char* /*doc*/) {
  const YAML::Node node = map_[key];
  if (!node) {
    return;
  }
  if (!node.IsSequence()) {
    fail(key, node,
         fmt::format("{}{} must be a list of strings, got {}", prefix_, key, describe(node)));
  }
  std::vector<std::string> items;
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    if (!item.IsScalar()) {
      const YAML::Mark mark = item.IsNull() ? node.Mark() : item.Mark();
      fail_at(prefix_ + key, mark,
              fmt::format("{}{}[{}] must be a string, got {}", prefix_, key, i, describe(item)));
    }
    items.push_back(item.Scalar());
  }
  v = std::move(items);
}

void ConfigReader::value(const char* key, std::vector<double>& v, double lo, double hi,
                         const char* /*doc*/) {
  const YAML::Node node = map_[key];
  if (!node) {
    return;
  }
  if (!node.IsSequence()) {
    fail(key, node,
         fmt::format("{}{} must be a list of numbers, got {}", prefix_, key, describe(node)));
  }
  std::vector<double> items;
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    const YAML::Mark mark = item.IsNull() ? node.Mark() : item.Mark();
    const std::string path = fmt::format("{}{}[{}]", prefix_, key, i);
    if (!item.IsScalar() || item.Tag() != "?" || !is_number_text(item.Scalar())) {
      fail_at(prefix_ + key, mark,
              fmt::format("{} must be a number, got {}", path, describe(item)));
    }
    double parsed = 0;
    if (!parse_number(item.Scalar(), parsed) || parsed < lo || parsed > hi) {
      fail_at(prefix_ + key, mark,
              fmt::format("{} must be in [{}, {}], got {}", path, lo, hi, item.Scalar()));
    }
    items.push_back(parsed);
  }
  v = std::move(items);
}

std::optional<size_t> ConfigReader::read_choice(const char* key,
                                                const std::vector<std::string>& allowed) const {
  const YAML::Node node = map_[key];
  if (!node) {
    return std::nullopt;
  }
  const std::string rule =
      fmt::format("{}{} must be one of {}", prefix_, key, fmt::join(allowed, ", "));
  if (!node.IsScalar()) {
    fail(key, node, fmt::format("{}, got {}", rule, describe(node)));
  }
  const std::string& text = node.Scalar();
  for (size_t i = 0; i < allowed.size(); ++i) {
    if (allowed[i] == text) {
      return i;
    }
  }
  const std::string suggestion = did_you_mean(text, allowed);
  const std::string hint =
      suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion);
  fail(key, node, fmt::format("{}, got '{}'{}", rule, text, hint));
}

void fail_at_key(const YAML::Node& root, const ConfigSource& source, const std::string& path,
                 const std::string& message) {
  const auto origin = source.override_origin.find(path);
  if (origin != source.override_origin.end()) {
    throw ConfigError(fmt::format("{}: {}", origin->second, message));
  }
  // reset(), not operator=: assigning a Node writes into the node it refers to.
  YAML::Node node;
  node.reset(root);
  bool found = true;
  for (size_t start = 0; start <= path.size() && found;) {
    const size_t dot = std::min(path.find('.', start), path.size());
    const YAML::Node& parent = node;
    found = parent.IsMap() && parent[path.substr(start, dot - start)];
    if (found) {
      node.reset(parent[path.substr(start, dot - start)]);
    }
    start = dot + 1;
  }
  throw ConfigError(fmt::format(
      "{}: {}: {}", found ? location(source.name, node.Mark()) : source.name, path, message));
}

void read_config(const YAML::Node& root, const ConfigSource& source, Config& cfg) {
  if (!root || root.IsNull()) {
    return;  // an empty file: every key keeps its default
  }
  if (!root.IsMap()) {
    throw ConfigError(fmt::format("{}: the top level must be a map of sections, got {}",
                                  location(source.name, root.Mark()), describe(root)));
  }
  ConfigReader reader(root, "", source);
  reader.check_section(root, "", config_keys(cfg), "version");
  cfg.visit(reader);
}

YAML::Node load_yaml_document(const std::string& text, const std::string& source_name,
                              const char* what) {
  if (const std::optional<YAML::Mark> stall = yaml_stall(text)) {
    throw ConfigError(yaml_stall_message(text, *stall, source_name));
  }
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}:{}:{}: YAML syntax error: {}", source_name, e.mark.line + 1,
                                  e.mark.column + 1, e.msg));
  }
  if (docs.size() > 1) {
    const YAML::Mark mark = docs[1].Mark();
    throw ConfigError(fmt::format("{}:{}:{}: {} is one YAML document, found a second one",
                                  source_name, mark.line + 1, mark.column + 1, what));
  }
  return docs.empty() ? YAML::Node() : docs[0];
}

}  // namespace safsim
