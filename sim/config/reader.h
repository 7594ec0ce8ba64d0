// Strict reader of a YAML config tree into the typed Config: every key present is type- and
// range-checked, every key not declared in a section's visit() is an error.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/config.h"
#include "sim/config/keys.h"

namespace safsim {

/// The one YAML document in `text` (null for an empty file). A syntax error or a second document
/// (whose keys would otherwise be dropped silently) is a ConfigError "source:line:col: ...";
/// `what` names the file's role ("a config", "a sweep file").
YAML::Node load_yaml_document(const std::string& text, const std::string& source_name,
                              const char* what);

struct ConfigSource;

/// Throws ConfigError "source:line:col: message" at the dotted key `path` of `root` (or naming
/// the --set that set it; just "source: message" when the key is absent), for checks made
/// after the config is read.
[[noreturn]] void fail_at_key(const YAML::Node& root, const ConfigSource& source,
                              const std::string& path, const std::string& message);

/// What a node is, for the "got ..." of type errors in configs and sweep files alike: null, a
/// list, a map, 'text' for a plain scalar, the string "text" for a quoted one.
std::string describe(const YAML::Node& node);

/// Where the YAML being read came from, for error messages.
struct ConfigSource {
  std::string name;  // file name (or test source name), the prefix of "name:line:col: ..."
  /// Dotted key path -> "--set key=value" text of the override that set it: errors on those
  /// keys name the override instead of a file position.
  std::map<std::string, std::string> override_origin;
};

/// Visitor that reads the keys present in one YAML map into a section; absent keys keep their
/// current value. Throws ConfigError on the first problem.
///   ConfigReader r(map_node, "accelerator.", source);
///   cfg.accelerator.visit(r);
class ConfigReader {
 public:
  ConfigReader(YAML::Node map, std::string path_prefix, const ConfigSource& source)
      : map_(std::move(map)), prefix_(std::move(path_prefix)), source_(source) {}

  void value(const char* key, int& v, int lo, int hi, const char* doc);
  void value(const char* key, int64_t& v, int64_t lo, int64_t hi, const char* doc);
  void value(const char* key, uint64_t& v, uint64_t lo, uint64_t hi, const char* doc);
  void value(const char* key, double& v, double lo, double hi, const char* doc);
  void value(const char* key, bool& v, const char* doc);
  void value(const char* key, std::string& v, const char* doc);
  void value(const char* key, std::vector<std::string>& v, const char* doc);
  void value(const char* key, std::vector<double>& v, double lo, double hi, const char* doc);

  template <class E>
  void choice(const char* key, E& v, const EnumNames<E>& names, const char* /*doc*/) {
    std::vector<std::string> allowed;
    for (const auto& n : names) {
      allowed.emplace_back(n.first);
    }
    if (std::optional<size_t> i = read_choice(key, allowed)) {
      v = names[*i].second;
    }
  }

  template <class S>
  void section(const char* key, S& s, const char* /*doc*/) {
    const YAML::Node node = map_[key];
    if (!node) {
      return;  // absent section: all its keys keep their defaults
    }
    const std::string path = prefix_ + key;
    check_section(node, path, config_keys(s));
    if (node.IsMap()) {  // a null section (`nvm:` with nothing after it) is an empty one
      ConfigReader sub(node, path + ".", source_);
      s.visit(sub);
    }
  }

  /// Throws unless `node` is a map (or null) whose keys are all in `keys`, each once.
  /// `ignored` is accepted at this level without being declared (the top-level `version`).
  void check_section(const YAML::Node& node, const std::string& path,
                     const std::vector<ConfigKey>& keys, const char* ignored = nullptr) const;

 private:
  /// The scalar text of a number or bool `key`, which must be a plain (unquoted, untagged)
  /// scalar; throws "<path> must be <expected>, got ..." otherwise.
  std::string plain_scalar(const char* key, const YAML::Node& node, const char* expected) const;
  std::optional<size_t> read_choice(const char* key, const std::vector<std::string>& allowed) const;
  template <class T>
  void read_integer(const char* key, T& v, T lo, T hi) const;

  /// Throws ConfigError "source:line:col: message" at `node`, or at its key when the value has
  /// no useful position (null); a key set by --set names the override instead.
  [[noreturn]] void fail(const char* key, const YAML::Node& node, const std::string& message) const;
  [[noreturn]] void fail_at(const std::string& path, const YAML::Mark& mark,
                            const std::string& message) const;
  YAML::Mark key_mark(const YAML::Node& map, const std::string& key) const;

  const YAML::Node map_;
  const std::string prefix_;  // dotted path of this section plus ".", empty at the top level
  const ConfigSource& source_;
};

/// Reads a whole config tree (a map, or null for an empty file) into `cfg`. A top-level
/// `version` key (written by dump_config) is accepted and ignored.
void read_config(const YAML::Node& root, const ConfigSource& source, Config& cfg);

}  // namespace safsim
