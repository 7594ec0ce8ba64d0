// `--set key.path=value` parsing and merging (config_override.h). Paths are checked against the
// schema here, before the merge, so a typo is reported against the override, not a file line.
#include "sim/config/override.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "base/errors.h"
#include "sim/config.h"
#include "sim/config/keys.h"
#include "sim/config/yaml_stall.h"

namespace safsim {
namespace {

std::string trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) {
    return "";
  }
  return s.substr(begin, s.find_last_not_of(" \t") - begin + 1);
}

std::vector<std::string> split_path(const std::string& key) {
  std::vector<std::string> parts;
  size_t begin = 0;
  while (true) {
    const size_t dot = key.find('.', begin);
    parts.push_back(key.substr(begin, dot == std::string::npos ? std::string::npos : dot - begin));
    if (dot == std::string::npos) {
      return parts;
    }
    begin = dot + 1;
  }
}

struct Override {
  std::string origin;  // "--set key=value", the prefix of this override's errors
  std::string key;     // dotted path
  std::vector<std::string> path;
  YAML::Node value;
};

/// Checks that `path` names a value (not a section) declared in `schema`.
void check_path(const std::string& origin, const std::vector<std::string>& path,
                const std::vector<ConfigKey>& schema) {
  const std::vector<ConfigKey>* level = &schema;
  std::string dotted;
  for (size_t i = 0; i < path.size(); ++i) {
    dotted += (i == 0 ? "" : ".") + path[i];
    const ConfigKey* key = find_key(*level, path[i]);
    if (key == nullptr) {
      throw ConfigError(
          fmt::format("{}: {}", origin, unknown_key_message(dotted, path[i], *level)));
    }
    const bool last = i + 1 == path.size();
    if (!last && !key->is_section) {
      throw ConfigError(fmt::format("{}: '{}' is a value, not a section, so it has no key '{}'",
                                    origin, dotted, path[i + 1]));
    }
    if (last && key->is_section) {
      std::vector<std::string> names;
      for (const ConfigKey& child : key->children) {
        names.push_back(child.name);
      }
      std::sort(names.begin(), names.end());
      throw ConfigError(fmt::format("{}: '{}' is a section; set one of its keys: {}", origin,
                                    dotted, fmt::join(names, ", ")));
    }
    level = &key->children;
  }
}

Override parse_override(const std::string& text, const std::vector<ConfigKey>& schema) {
  Override o;
  o.origin = "--set " + text;
  const size_t eq = text.find('=');
  o.key = trim(text.substr(0, eq));
  if (eq == std::string::npos || o.key.empty()) {
    throw ConfigError(fmt::format("{}: expected key.path=value", o.origin));
  }
  o.path = split_path(o.key);
  if (std::find(o.path.begin(), o.path.end(), "") != o.path.end()) {
    throw ConfigError(
        fmt::format("{}: '{}' is not a key path (empty name between dots)", o.origin, o.key));
  }
  check_path(o.origin, o.path, schema);
  const std::string value = trim(text.substr(eq + 1));
  if (const std::optional<YAML::Mark> stall = yaml_stall(value)) {
    throw ConfigError(fmt::format("{}: the value is not valid YAML (unexpected '{}' at column {})",
                                  o.origin, value.substr(size_t(stall->pos), 1),
                                  stall->column + 1));
  }
  try {
    const std::vector<YAML::Node> docs = YAML::LoadAll(value);
    if (docs.size() > 1) {
      throw ConfigError(fmt::format(
          "{}: the value is more than one YAML document (a '---' or '...' in it)", o.origin));
    }
    o.value = docs.empty() ? YAML::Node() : docs[0];
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}: the value is not valid YAML ({} at column {})", o.origin,
                                  e.msg, e.mark.column + 1));
  }
  return o;
}

/// Sets map[path[i]][path[i+1]]... = value, creating missing or null maps on the way. A
/// non-map in the way is left alone: the reader then reports it at its file position.
void set_in(YAML::Node map, const std::vector<std::string>& path, size_t i,
            const YAML::Node& value) {
  const std::string& key = path[i];
  if (i + 1 == path.size()) {
    map[key] = value;
    return;
  }
  const YAML::Node child = map[key];
  if (!child.IsDefined() || child.IsNull()) {
    map[key] = YAML::Node(YAML::NodeType::Map);
  } else if (!child.IsMap()) {
    return;
  }
  set_in(map[key], path, i + 1, value);
}

}  // namespace

std::map<std::string, std::string> apply_overrides(YAML::Node& root,
                                                   const std::vector<std::string>& overrides) {
  Config defaults;
  const std::vector<ConfigKey> schema = config_keys(defaults);
  // Check every override before changing the tree, so the first bad one is reported even
  // when the file itself has errors.
  std::vector<Override> parsed;
  for (const std::string& text : overrides) {
    parsed.push_back(parse_override(text, schema));
  }
  std::map<std::string, std::string> origin;
  if (!parsed.empty() && (!root.IsDefined() || root.IsNull())) {
    root.reset(YAML::Node(YAML::NodeType::Map));  // an empty file
  }
  if (!root.IsMap()) {
    return origin;  // read_config reports the bad top level
  }
  for (const Override& o : parsed) {
    set_in(root, o.path, 0, o.value);
    origin[o.key] = o.origin;
  }
  return origin;
}

}  // namespace safsim
