// Sweep-file parsing (sweep_spec.h): structure and key names here; value types and ranges are
// checked when every point's config is built (sweep_plan.cpp), also before any trial runs.
#include "sim/sweep/spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "base/did_you_mean.h"
#include "base/errors.h"
#include "base/input_files.h"
#include "sim/config.h"
#include "sim/config/keys.h"
#include "sim/config/reader.h"

namespace safsim {
namespace {

// `version` is written by sweep.resolved.yaml (itself a sweep file) and ignored.
const std::vector<std::string> kTopLevelKeys = {"name",    "description", "base",   "config",
                                                "engine",  "axes",        "repeat", "seed",
                                                "metrics", "selftest",    "version"};

/// Parsing context: the file name for messages and the schema for key checks.
struct Ctx {
  std::string path;
  std::vector<ConfigKey> schema;

  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& message) const {
    throw ConfigError(fmt::format("{}: {}", mark_location(path, mark), message));
  }
  std::string at(const YAML::Node& node) const { return mark_location(path, node.Mark()); }
};

/// Walks `dotted` through the schema; it must name a value key (not a section).
void check_value_key(const Ctx& ctx, const std::string& dotted, const YAML::Mark& mark) {
  const std::vector<ConfigKey>* level = &ctx.schema;
  std::string prefix;
  size_t begin = 0;
  while (true) {
    const size_t dot = dotted.find('.', begin);
    const std::string name = dotted.substr(begin, dot == std::string::npos ? dot : dot - begin);
    prefix += (begin == 0 ? "" : ".") + name;
    const ConfigKey* key = name.empty() ? nullptr : find_key(*level, name);
    if (key == nullptr) {
      ctx.fail(mark, unknown_key_message(prefix, name, *level));
    }
    if (dot == std::string::npos) {
      if (key->is_section) {
        std::vector<std::string> names;
        for (const ConfigKey& c : key->children) {
          names.push_back(c.name);
        }
        std::sort(names.begin(), names.end());
        ctx.fail(mark, fmt::format("'{}' is a section; use one of its keys: {}", dotted,
                                   fmt::join(names, ", ")));
      }
      break;
    }
    if (!key->is_section) {
      ctx.fail(mark, fmt::format("'{}' is a value, not a section, so it has no key '{}'", prefix,
                                 dotted.substr(dot + 1)));
    }
    level = &key->children;
    begin = dot + 1;
  }
  if (dotted == "seed") {
    ctx.fail(mark,
             "'seed' is set per trial from the sweep's top-level seed: (docs/sweeps.md); set "
             "that instead");
  }
}

Assignment make_assignment(const Ctx& ctx, const std::string& key, const YAML::Node& key_node,
                           const YAML::Node& value) {
  // An empty value's mark is the next token; the key's position is the useful one then.
  const YAML::Mark mark = value.IsNull() ? key_node.Mark() : value.Mark();
  return Assignment{key, value, mark_location(ctx.path, mark)};
}

/// Flattens an inline `config:` map (nested sections, as in a config file) into leaf keys.
void flatten_config(const Ctx& ctx, const YAML::Node& map, const std::vector<ConfigKey>& level,
                    const std::string& prefix, std::vector<Assignment>& out) {
  for (const auto& entry : map) {
    if (!entry.first.IsScalar()) {
      ctx.fail(entry.first.Mark(),
               fmt::format("keys must be names, got {}", describe(entry.first)));
    }
    const std::string& name = entry.first.Scalar();
    const std::string dotted = prefix.empty() ? name : prefix + "." + name;
    const ConfigKey* key = find_key(level, name);
    if (key == nullptr) {
      ctx.fail(entry.first.Mark(), unknown_key_message(dotted, name, level));
    }
    if (!key->is_section) {
      check_value_key(ctx, dotted, entry.first.Mark());
      out.push_back(make_assignment(ctx, dotted, entry.first, entry.second));
    } else if (entry.second.IsMap()) {
      flatten_config(ctx, entry.second, key->children, dotted, out);
    } else if (!entry.second.IsNull()) {
      ctx.fail(entry.second.Mark(),
               fmt::format("{} must be a map of keys, got {}", dotted, describe(entry.second)));
    }
  }
}

/// `node` must be a map whose keys are all in `allowed`.
void check_keys(const Ctx& ctx, const YAML::Node& node, const std::vector<std::string>& allowed,
                const std::string& what) {
  std::map<std::string, int> seen;
  for (const auto& entry : node) {
    const std::string name = entry.first.IsScalar() ? entry.first.Scalar() : "";
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      const std::string hint = did_you_mean(name, allowed);
      ctx.fail(entry.first.Mark(),
               fmt::format("unknown key '{}' in {}{}; allowed keys: {}", name, what,
                           hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint),
                           fmt::join(allowed, ", ")));
    }
    if (!seen.emplace(name, entry.first.Mark().line + 1).second) {
      ctx.fail(entry.first.Mark(),
               fmt::format("duplicate key '{}' in {} (first at line {})", name, what, seen[name]));
    }
  }
}

/// A non-empty list at `node[key]`; `what` names it in messages.
YAML::Node non_empty_list(const Ctx& ctx, const YAML::Node& parent, const char* key,
                          const std::string& what) {
  const YAML::Node list = parent[key];
  if (!list) {
    ctx.fail(parent.Mark(), fmt::format("{} needs '{}:'", what, key));
  }
  if (!list.IsSequence()) {
    ctx.fail(list.IsNull() ? parent.Mark() : list.Mark(),
             fmt::format("{}: '{}' must be a list, got {}", what, key, describe(list)));
  }
  if (list.size() == 0) {
    ctx.fail(list.Mark(),
             fmt::format("{}: '{}' is empty; an axis needs at least one value", what, key));
  }
  return list;
}

/// `{key: k, values: [...]}`: one alternative per value.
std::vector<Assignment> parse_key_values(const Ctx& ctx, const YAML::Node& node,
                                         const std::string& what) {
  check_keys(ctx, node, {"key", "values"}, what);
  const YAML::Node key = node["key"];
  if (!key || !key.IsScalar()) {
    ctx.fail(key ? key.Mark() : node.Mark(), fmt::format("{} needs 'key:' naming a config key "
                                                         "(e.g. faults.weights.stuck_at.rate)",
                                                         what));
  }
  check_value_key(ctx, key.Scalar(), key.Mark());
  const YAML::Node values = non_empty_list(ctx, node, "values", what + " " + key.Scalar());
  std::vector<Assignment> out;
  for (const YAML::Node& v : values) {
    out.push_back(Assignment{key.Scalar(), v, ctx.at(v.IsNull() ? values : v)});
  }
  return out;
}

SweepAxis parse_axis(const Ctx& ctx, const YAML::Node& node, size_t index) {
  const std::string what = fmt::format("axes[{}]", index);
  SweepAxis axis;
  axis.origin = ctx.at(node);
  if (!node.IsMap()) {
    ctx.fail(node.Mark(), fmt::format("{} must be {{key: k, values: [...]}}, {{zip: [...]}} or "
                                      "{{points: [...]}}, got {}",
                                      what, describe(node)));
  }
  if (node["zip"]) {
    axis.kind = SweepAxis::Kind::kZip;
    check_keys(ctx, node, {"zip"}, what);
    const YAML::Node members = non_empty_list(ctx, node, "zip", what);
    std::vector<std::vector<Assignment>> columns;
    for (size_t m = 0; m < members.size(); ++m) {
      columns.push_back(parse_key_values(ctx, members[m], fmt::format("{}.zip[{}]", what, m)));
      if (columns[m].size() != columns[0].size()) {
        ctx.fail(members[m].Mark(),
                 fmt::format("{}: zipped keys need equal numbers of values; '{}' has {} but "
                             "'{}' has {}",
                             what, columns[m][0].key, columns[m].size(), columns[0][0].key,
                             columns[0].size()));
      }
    }
    axis.choices.resize(columns[0].size());
    for (const auto& column : columns) {
      for (size_t j = 0; j < column.size(); ++j) {
        axis.choices[j].push_back(column[j]);
      }
    }
  } else if (node["points"]) {
    axis.kind = SweepAxis::Kind::kPoints;
    check_keys(ctx, node, {"points"}, what);
    const YAML::Node points = non_empty_list(ctx, node, "points", what);
    for (size_t p = 0; p < points.size(); ++p) {
      const YAML::Node& point = points[p];
      // An empty map is the base config itself: sweep.resolved.yaml lists the one point of a
      // sweep without axes as `{}`, and the file must plan again.
      if (!point.IsMap()) {
        ctx.fail(point.Mark(), fmt::format("{}.points[{}] must be a map of config keys to "
                                           "values, got {}",
                                           what, p, describe(point)));
      }
      std::vector<Assignment> choice;
      for (const auto& entry : point) {
        check_value_key(ctx, entry.first.Scalar(), entry.first.Mark());
        choice.push_back(make_assignment(ctx, entry.first.Scalar(), entry.first, entry.second));
      }
      axis.choices.push_back(std::move(choice));
    }
  } else if (node["key"] || node["values"]) {
    for (Assignment& a : parse_key_values(ctx, node, what)) {
      axis.choices.push_back({std::move(a)});
    }
  } else {
    ctx.fail(node.Mark(), fmt::format("{} must be {{key: k, values: [...]}}, {{zip: [...]}} or "
                                      "{{points: [...]}}",
                                      what));
  }
  return axis;
}

/// A key may vary on one axis only, else the product would set it twice per point.
void check_axis_keys_disjoint(const std::vector<SweepAxis>& axes) {
  std::map<std::string, std::pair<size_t, std::string>> owner;  // key -> (axis, origin)
  for (size_t i = 0; i < axes.size(); ++i) {
    for (const auto& choice : axes[i].choices) {
      std::map<std::string, bool> in_choice;
      for (const Assignment& a : choice) {
        if (in_choice[a.key]) {
          throw ConfigError(
              fmt::format("{}: '{}' is set twice in the same point", a.origin, a.key));
        }
        in_choice[a.key] = true;
        const auto [it, inserted] = owner.emplace(a.key, std::make_pair(i, a.origin));
        if (!inserted && it->second.first != i) {
          throw ConfigError(
              fmt::format("{}: '{}' is already an axis at {}; a key can vary on one "
                          "axis only (use zip: or points: to vary keys together)",
                          a.origin, a.key, it->second.second));
        }
      }
    }
  }
}

template <class T>
T read_integer(const Ctx& ctx, const YAML::Node& node, const char* key, T lo, T hi) {
  const std::string text = node.IsScalar() && node.Tag() == "?" ? node.Scalar() : "";
  T v{};
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || v < lo || v > hi) {
    ctx.fail(node.Mark(),
             fmt::format("{} must be an integer in [{}, {}], got {}", key, lo, hi, describe(node)));
  }
  return v;
}

void parse_top_level(const Ctx& ctx, const YAML::Node& root, SweepSpec& s) {
  if (const YAML::Node n = root["name"]) {
    if (!n.IsScalar()) {
      ctx.fail(n.Mark(), fmt::format("name must be a string, got {}", describe(n)));
    }
    s.name = n.Scalar();
  }
  if (const YAML::Node n = root["base"]) {
    if (!n.IsScalar()) {
      ctx.fail(n.Mark(), fmt::format("base must be a path to a config file, got {}", describe(n)));
    }
    const std::filesystem::path dir = std::filesystem::path(s.path).parent_path();
    s.base_path = (dir / n.Scalar()).lexically_normal().string();
    s.base_origin = ctx.at(n);
  }
  if (const YAML::Node n = root["engine"]) {
    s.config.push_back(make_assignment(ctx, "engine", n, n));
  }
  if (const YAML::Node n = root["config"]) {
    if (!n.IsMap() && !n.IsNull()) {
      ctx.fail(n.Mark(), fmt::format("config must be a map of config keys, got {}", describe(n)));
    }
    if (n.IsMap()) {
      flatten_config(ctx, n, ctx.schema, "", s.config);
    }
  }
  for (size_t i = 0; i < s.config.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (s.config[i].key == s.config[j].key) {
        throw ConfigError(fmt::format("{}: '{}' is already set at {}", s.config[i].origin,
                                      s.config[i].key, s.config[j].origin));
      }
    }
  }
  if (const YAML::Node n = root["repeat"]) {
    s.repeat = read_integer<int>(ctx, n, "repeat", 1, 1000000);
  }
  if (const YAML::Node n = root["seed"]) {
    s.seed = read_integer<uint64_t>(ctx, n, "seed", 0, std::numeric_limits<uint64_t>::max());
  }
}

}  // namespace

std::string mark_location(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null()) {
    return file;
  }
  return fmt::format("{}:{}:{}", file, mark.line + 1, mark.column + 1);
}

std::string read_text_file(const std::string& path, const char* what) {
  const InputFile f = read_input_file(path);
  if (!f.problem.empty()) {
    throw ConfigError(fmt::format("cannot open {} '{}': {}", what, path, f.problem));
  }
  return f.bytes;
}

SweepSpec parse_sweep(const std::string& yaml_text, const std::string& path) {
  Config defaults;
  const Ctx ctx{path, config_keys(defaults)};
  const YAML::Node root = load_yaml_document(yaml_text, path, "a sweep file");
  if (!root.IsMap()) {
    ctx.fail(root.Mark(), fmt::format("a sweep file is a map with keys {}, got {}",
                                      fmt::join(kTopLevelKeys, ", "), describe(root)));
  }
  check_keys(ctx, root, kTopLevelKeys, "the sweep file");
  SweepSpec s;
  s.path = path;
  s.name = std::filesystem::path(path).stem().string();
  parse_top_level(ctx, root, s);
  if (const YAML::Node axes = root["axes"]) {
    if (!axes.IsSequence() && !axes.IsNull()) {
      ctx.fail(axes.Mark(), fmt::format("axes must be a list, got {}", describe(axes)));
    }
    for (size_t i = 0; axes.IsSequence() && i < axes.size(); ++i) {
      s.axes.push_back(parse_axis(ctx, axes[i], i));
    }
    check_axis_keys_disjoint(s.axes);
  }
  if (const YAML::Node metrics = root["metrics"]) {
    if (!metrics.IsSequence()) {
      ctx.fail(metrics.Mark(),
               fmt::format("metrics must be a list of names, got {}", describe(metrics)));
    }
    for (const YAML::Node& m : metrics) {
      if (!m.IsScalar()) {
        ctx.fail(m.Mark(), fmt::format("a metric must be a name, got {}", describe(m)));
      }
      s.metrics.push_back({m.Scalar(), ctx.at(m)});
    }
  }
  if (const YAML::Node n = root["selftest"]) {
    s.selftest = parse_sweep_selftest(n, path);
  }
  return s;
}

SweepSpec load_sweep(const std::string& path) {
  return parse_sweep(read_text_file(path, "sweep file"), path);
}

}  // namespace safsim
