// Axis expansion and per-point config building (sweep_plan.h). Values from the sweep file keep
// their YAML marks, and each is registered as the "override origin" of its key, so the config
// reader's type and range errors point at the sweep file line that set the value.
#include "sim/sweep/plan.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <type_traits>

#include "base/errors.h"
#include "base/random_stream.h"
#include "sim/config/reader.h"
#include "sim/config/writer.h"
#include "sim/sweep/metrics.h"

namespace safsim {
namespace {

constexpr int64_t kMaxPoints = 1000000;

/// Every value key of a Config as (dotted key, text, quote-as-string) in declaration order.
class FlatConfig {
 public:
  struct Entry {
    std::string key;
    std::string text;
    bool is_string = false;
    bool is_list = false;
    std::vector<std::string> items;  // list-valued keys: strings, or numbers when !is_string
  };
  std::vector<Entry> entries;

  template <class T, class... Rest>
  void value(const char* key, T& v, Rest&&... /*bounds_and_doc*/) {
    Entry e{prefix_ + key, "", false, false, {}};
    if constexpr (std::is_same_v<T, std::string>) {
      e.text = v;
      e.is_string = true;
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      e.text = fmt::format("[{}]", fmt::join(v, ", "));
      e.is_list = true;
      e.is_string = true;
      e.items = v;
    } else if constexpr (std::is_same_v<T, std::vector<double>>) {
      e.text = fmt::format("[{}]", fmt::join(v, ", "));
      e.is_list = true;
      for (const double x : v) {
        e.items.push_back(fmt::format("{}", x));
      }
    } else if constexpr (std::is_same_v<T, bool>) {
      e.text = v ? "true" : "false";
    } else {
      e.text = fmt::format("{}", v);  // doubles: shortest round-trip, as config.resolved.yaml
    }
    entries.push_back(std::move(e));
  }
  template <class E>
  void choice(const char* key, E& v, const EnumNames<E>& names, const char* /*doc*/) {
    for (const auto& n : names) {
      if (n.second == v) {
        entries.push_back({prefix_ + key, n.first, false, false, {}});
      }
    }
  }
  template <class S>
  void section(const char* key, S& s, const char* /*doc*/) {
    const std::string saved = prefix_;
    prefix_ += std::string(key) + ".";
    s.visit(*this);
    prefix_ = saved;
  }

 private:
  std::string prefix_;
};

std::vector<FlatConfig::Entry> flatten(const Config& c) {
  Config copy = c;
  FlatConfig flat;
  copy.visit(flat);
  return flat.entries;
}

/// Emits the config (all keys but the per-trial `seed`) into the map `out` is in.
class ConfigWithoutSeed {
 public:
  explicit ConfigWithoutSeed(ConfigWriter& w) : w_(w) {}
  template <class T, class... Rest>
  void value(const char* key, T& v, Rest&&... rest) {
    if (std::string(key) != "seed") {
      w_.value(key, v, std::forward<Rest>(rest)...);
    }
  }
  template <class E>
  void choice(const char* key, E& v, const EnumNames<E>& names, const char* doc) {
    w_.choice(key, v, names, doc);
  }
  template <class S>
  void section(const char* key, S& s, const char* doc) {
    w_.section(key, s, doc);
  }

 private:
  ConfigWriter& w_;
};

std::vector<std::string> split_path(const std::string& key) {
  std::vector<std::string> parts;
  size_t begin = 0;
  for (size_t dot; (dot = key.find('.', begin)) != std::string::npos; begin = dot + 1) {
    parts.push_back(key.substr(begin, dot - begin));
  }
  parts.push_back(key.substr(begin));
  return parts;
}

/// map[path...] = value, creating (or replacing null) maps on the way; a non-map in the way is
/// left alone so the reader reports it at its own position.
void set_in(YAML::Node map, const std::vector<std::string>& path, size_t i,
            const YAML::Node& value) {
  if (i + 1 == path.size()) {
    // A clone: assigning the shared node itself would merge its document's memory into every
    // point's tree, which makes planning quadratic in the number of points.
    map[path[i]] = YAML::Clone(value);
    return;
  }
  const YAML::Node child = map[path[i]];
  if (!child.IsDefined() || child.IsNull()) {
    map[path[i]] = YAML::Node(YAML::NodeType::Map);
  } else if (!child.IsMap()) {
    return;
  }
  set_in(map[path[i]], path, i + 1, value);
}

/// What every point starts from: the base file, parsed once (an empty map without one).
struct BaseConfig {
  std::string name;  // for positions in the base file's own errors
  std::string text;
  YAML::Node root;

  /// A tree of its own to edit. Clones carry no positions, so the base itself is first read
  /// from a fresh parse (plan_sweep: plan.base), where its errors point into the file.
  YAML::Node tree(bool with_positions) const {
    if (!with_positions || text.empty()) {
      return YAML::Clone(root);
    }
    return load_yaml_document(text, name, "a config");
  }
};

Config build_config(const BaseConfig& base, const std::vector<const Assignment*>& assignments,
                    bool with_positions = false) {
  YAML::Node root = base.tree(with_positions);
  if (root.IsNull()) {
    root = YAML::Node(YAML::NodeType::Map);
  }
  ConfigSource source{base.name, {}};
  if (root.IsMap()) {
    for (const Assignment* a : assignments) {
      set_in(root, split_path(a->key), 0, a->value);
      source.override_origin[a->key] = a->origin;
    }
  }
  Config cfg;
  read_config(root, source, cfg);
  validate_config(cfg);
  return cfg;
}

std::string emit_resolved(const SweepPlan& p) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "version" << YAML::Value << YAML::DoubleQuoted << SAFSIM_VERSION;
  out << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << p.name;
  out << YAML::Key << "repeat" << YAML::Value << p.repeat;
  out << YAML::Key << "seed" << YAML::Value << p.seed;
  out << YAML::Key << "metrics" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const SweepMetricName& m : p.metric_names) {
    out << m.name;
  }
  out << YAML::EndSeq;
  if (p.selftest.enabled) {
    out << YAML::Key << "selftest" << YAML::Value;
    emit_sweep_selftest(out, p.selftest);
  }
  out << YAML::Key << "config" << YAML::Value << YAML::BeginMap;
  ConfigWriter writer(out);
  ConfigWithoutSeed without_seed(writer);
  Config base = p.base;
  base.visit(without_seed);
  out << YAML::EndMap;
  out << YAML::Key << "axes" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "points" << YAML::Value << YAML::BeginSeq;
  for (const SweepPoint& point : p.points) {
    out << YAML::Flow << YAML::BeginMap;
    const auto flat = flatten(point.config);
    for (const std::string& col : p.columns) {
      for (const FlatConfig::Entry& e : flat) {
        if (e.key == col) {
          out << YAML::Key << col << YAML::Value;
          if (e.is_list) {
            out << YAML::Flow << YAML::BeginSeq;
            for (const std::string& item : e.items) {
              if (e.is_string) {
                out << YAML::DoubleQuoted;
              }
              out << item;
            }
            out << YAML::EndSeq;
          } else if (e.is_string) {
            out << YAML::DoubleQuoted << e.text;
          } else {
            out << e.text;
          }
        }
      }
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

/// Columns: the axis keys in order of first appearance.
std::vector<std::string> axis_columns(const SweepSpec& spec) {
  std::vector<std::string> cols;
  for (const SweepAxis& axis : spec.axes) {
    for (const auto& choice : axis.choices) {
      for (const Assignment& a : choice) {
        if (std::find(cols.begin(), cols.end(), a.key) == cols.end()) {
          cols.push_back(a.key);
        }
      }
    }
  }
  return cols;
}

void add_point(SweepPlan& plan, const BaseConfig& base, const SweepSpec& spec,
               const std::vector<size_t>& odometer, std::map<std::string, int>& seen) {
  std::vector<const Assignment*> assignments;
  for (const Assignment& a : spec.config) {
    assignments.push_back(&a);
  }
  const Assignment* first = nullptr;  // where a duplicate point is reported
  for (size_t a = 0; a < spec.axes.size(); ++a) {
    for (const Assignment& x : spec.axes[a].choices[odometer[a]]) {
      assignments.push_back(&x);
      first = first == nullptr ? &x : first;
    }
  }
  SweepPoint point;
  point.index = int(plan.points.size());
  point.config = build_config(base, assignments);
  std::vector<std::string> parts;
  for (const std::string& col : plan.columns) {
    point.values.push_back(config_value_text(point.config, col));
    parts.push_back(col + "=" + point.values.back());
  }
  point.key = fmt::format("{}", fmt::join(parts, ","));
  const auto [it, inserted] = seen.emplace(point.key, point.index);
  if (!inserted) {
    throw ConfigError(fmt::format(
        "{}: points {} and {} are the same configuration ({}); every "
        "point of a sweep must differ",
        first != nullptr ? first->origin : spec.path, it->second, point.index, point.key));
  }
  plan.points.push_back(std::move(point));
}

// Where the sweep file sets `key` (inline config first, then the axes), or the base config.
std::string origin_of(const SweepSpec& spec, const std::string& key) {
  for (const Assignment& a : spec.config) {
    if (a.key == key) {
      return a.origin;
    }
  }
  for (const SweepAxis& axis : spec.axes) {
    for (const std::vector<Assignment>& choice : axis.choices) {
      for (const Assignment& a : choice) {
        if (a.key == key) {
          return a.origin;
        }
      }
    }
  }
  return spec.base_path.empty() ? spec.path : spec.base_path;
}

}  // namespace

uint64_t trial_seed(uint64_t sweep_seed, int trial) {
  return RandomStream(sweep_seed, uint64_t(trial), "sweep_trial_seed").u64_at(0);
}

std::string config_value_text(const Config& c, const std::string& dotted_key) {
  for (const FlatConfig::Entry& e : flatten(c)) {
    if (e.key == dotted_key) {
      return e.text;
    }
  }
  return "";
}

std::string workload_key(const Config& c) {
  std::string key;
  for (const FlatConfig::Entry& e : flatten(c)) {
    if (e.key.rfind("workload.", 0) == 0 || e.key.rfind("quant.", 0) == 0) {
      key += e.key + "=" + e.text + "\n";
    }
  }
  return key;
}

SweepPlan plan_sweep(const SweepSpec& spec) {
  SweepPlan plan;
  plan.name = spec.name;
  plan.sweep_path = spec.path;
  plan.repeat = spec.repeat;
  plan.seed = spec.seed;
  plan.columns = axis_columns(spec);
  int64_t count = 1;
  for (const SweepAxis& axis : spec.axes) {
    count *= int64_t(axis.choices.size());
    if (count > kMaxPoints) {
      throw ConfigError(
          fmt::format("{}: the axes make more than {} points", axis.origin, kMaxPoints));
    }
  }
  BaseConfig base{spec.path, "", YAML::Node(YAML::NodeType::Map)};
  if (!spec.base_path.empty()) {
    base.name = spec.base_path;
    try {
      base.text = read_text_file(spec.base_path, "base config");
    } catch (const ConfigError& e) {
      throw ConfigError(fmt::format("{}: {}", spec.base_origin, e.what()));
    }
    base.root = base.tree(true);
  }
  std::vector<const Assignment*> config_only;
  for (const Assignment& a : spec.config) {
    config_only.push_back(&a);
  }
  plan.base = build_config(base, config_only, true);  // the base's errors, with positions
  std::map<std::string, int> seen;
  std::vector<size_t> odometer(spec.axes.size(), 0);
  for (int64_t n = 0; n < count; ++n) {
    add_point(plan, base, spec, odometer, seen);
    for (size_t a = spec.axes.size(); a-- > 0;) {  // last axis fastest
      if (++odometer[a] < spec.axes[a].choices.size()) {
        break;
      }
      odometer[a] = 0;
    }
  }
  bool all_cycle = true, all_functional = true;
  for (const SweepPoint& p : plan.points) {
    all_cycle = all_cycle && p.config.engine == EngineKind::kCycle;
    all_functional = all_functional && p.config.engine == EngineKind::kFunctional;
    if (!p.config.faults.scheduled_flips.empty()) {
      check_scheduled_flips_engine(p.config, p.config.engine == EngineKind::kCycle,
                                   origin_of(spec, "faults.scheduled_flips") + ": ");
    }
  }
  plan.metric_names = effective_metrics(spec.metrics, all_cycle);
  plan.metrics = metric_columns(plan.metric_names, all_cycle);
  plan.selftest = spec.selftest;
  if (plan.selftest.enabled) {
    if (!all_functional) {
      throw ConfigError(fmt::format(
          "{}: selftest: the detection experiment runs on the functional engine; set engine: "
          "functional",
          spec.path));
    }
    for (const std::string& col : selftest_columns(plan.selftest)) {
      plan.metrics.push_back(col);
    }
  }
  plan.resolved_yaml = emit_resolved(plan);
  plan.fingerprint = purpose_hash(plan.resolved_yaml);
  return plan;
}

}  // namespace safsim
