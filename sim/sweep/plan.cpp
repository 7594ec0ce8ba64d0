// Axis expansion and per-point configs (plan.h). Values from the sweep file keep their YAML
// marks, and each is registered as the "override origin" of its key, so the config reader's type
// and range errors point at the sweep file line that set the value. Each axis value is read once;
// a point is its axes' values set on the base, so planning is linear in the points. Building and
// keeping each point's config from a YAML tree, as this file once did, cost 157-239 us and about
// 1.6 kB per point, more per point the more points stayed alive (docs/performance.md).
#include "sim/sweep/plan.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <type_traits>

#include "base/errors.h"
#include "base/random_stream.h"
#include "sim/config/reader.h"
#include "sim/config/writer.h"
#include "sim/sweep/metrics.h"

namespace safsim {
namespace {

constexpr int64_t kMaxPoints = 1000000;

/// Every value key of a Config as (dotted key, text, quote-as-string) in declaration order, or
/// only those whose config_field_index() is set in `wanted` (formatting every key of the config
/// for the few an axis sets was most of the cost of resolving an axis value).
class FlatConfig {
 public:
  explicit FlatConfig(const std::vector<bool>* wanted = nullptr) : wanted_(wanted) {}
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
    if (!take()) {
      return;
    }
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
    if (!take()) {
      return;
    }
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
  bool take() {
    const size_t i = index_++;
    return wanted_ == nullptr || (*wanted_)[i];
  }

  const std::vector<bool>* wanted_;
  size_t index_ = 0;  // of the key being visited, in declaration order
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

/// The scalar or list of one flattened entry, as sweep.resolved.yaml writes it.
void emit_entry(YAML::Emitter& out, const FlatConfig::Entry& e) {
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

/// What starts each point's line in sweep.resolved.yaml: the document is a map, `axes:` a list
/// of one map, and its `points:` a list of flow maps, one per line.
constexpr std::string_view kPointLine = "\n      - ";

/// sweep.resolved.yaml up to the first point: the emitter's output for a plan whose one point
/// is an empty map, without that point's line. Each point then adds kPointLine + "{...}".
std::string emit_resolved_head(const SweepPlan& p) {
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
  out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
  out << YAML::EndSeq << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
  const std::string text = out.c_str();
  const std::string tail = std::string(kPointLine) + "{}";
  if (text.size() < tail.size() ||
      text.compare(text.size() - tail.size(), tail.size(), tail) != 0) {
    throw std::logic_error("sweep.resolved.yaml: unexpected layout of the points list");
  }
  return text.substr(0, text.size() - tail.size());
}

/// Calls `piece(text)` with what follows the head of sweep.resolved.yaml, in order: per point
/// kPointLine, "{", its axes' values, "}"; then the final newline.
template <class F>
void for_each_resolved_piece(const SweepPointSpace& space, F&& piece) {
  std::vector<size_t> odometer(space.axes.size(), 0);
  for (int64_t n = 0; n < space.count; ++n) {
    piece(kPointLine);
    piece("{");
    for (size_t a = 0; a < space.axes.size(); ++a) {
      piece(a == 0 ? "" : ", ");
      piece(space.axes[a].choices[odometer[a]].resolved);
    }
    piece("}");
    for (size_t a = space.axes.size(); a-- > 0;) {  // last axis fastest
      if (++odometer[a] < space.axes[a].choices.size()) {
        break;
      }
      odometer[a] = 0;
    }
  }
  piece("\n");
}

/// FNV-1a 64, as purpose_hash(), over text given in pieces: the fingerprint of the resolved
/// sweep without holding it, and so every point's line, in memory.
class Fnv1a {
 public:
  void add(std::string_view text) {
    for (const char c : text) {
      h_ ^= static_cast<unsigned char>(c);
      h_ *= 0x100000001B3ull;
    }
  }
  uint64_t value() const { return h_; }

 private:
  uint64_t h_ = 0xCBF29CE484222325ull;
};

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

/// Reads one value key of a Config with the reader of its own section alone: the section's
/// ConfigReader on a map of that one key. Its type and range checks are those of reading a whole
/// tree (the same ConfigReader::value()), without the reader visiting the config's other keys
/// and sections, which made up most of the cost of an axis value.
class LeafReader {
 public:
  LeafReader(const std::vector<std::string>& path, const YAML::Node& map,
             const ConfigSource& source)
      : path_(path), map_(map), source_(source) {}

  template <class T, class... Rest>
  void value(const char* /*key*/, T& /*v*/, Rest&&... /*bounds_and_doc*/) {}
  template <class E>
  void choice(const char* /*key*/, E& /*v*/, const EnumNames<E>& /*names*/, const char* /*doc*/) {}
  template <class S>
  void section(const char* key, S& s, const char* /*doc*/) {
    if (depth_ + 1 >= path_.size() || path_[depth_] != key) {
      return;  // not on the way to the key
    }
    const std::string saved = prefix_;
    prefix_ += std::string(key) + ".";
    if (++depth_ + 1 == path_.size()) {
      ConfigReader reader(map_, prefix_, source_);
      s.visit(reader);
    } else {
      s.visit(*this);
    }
    --depth_;
    prefix_ = saved;
  }

 private:
  const std::vector<std::string>& path_;
  const YAML::Node& map_;
  const ConfigSource& source_;
  size_t depth_ = 0;
  std::string prefix_;
};

/// Reads one axis alternative on top of `cfg` (the base): only its keys, each error prefixed
/// with the sweep file position that set the value. Each key is read on its own (they are
/// distinct value keys, checked by the sweep file's parser), so with two bad values in one
/// alternative either may be the one caught here; plan_sweep() then reports the reader's own
/// first error for the whole point.
void read_choice(const std::string& source_name, const std::vector<Assignment>& choice,
                 Config& cfg) {
  for (const Assignment& a : choice) {
    const std::vector<std::string> path = split_path(a.key);
    YAML::Node map(YAML::NodeType::Map);
    // A clone, as in set_in(): the sweep file's node would tie its document to this map.
    map[path.back()] = YAML::Clone(a.value);
    const ConfigSource source{source_name, {{a.key, a.origin}}};
    if (path.size() == 1) {
      read_config(map, source, cfg);  // a top-level key (engine, threads)
    } else {
      LeafReader leaf(path, map, source);
      cfg.visit(leaf);
    }
  }
}

/// Where resolving the axes found errors, as point indices (-1: none): the first point that
/// holds an axis value the reader refuses, and the first point equal to an earlier one.
struct AxisErrors {
  int64_t unreadable_point = -1;
  int64_t duplicate_point = -1;
  int64_t duplicate_of = -1;
};

/// Resolves axis `a` on top of `base`: the typed values, texts, key and resolved-YAML piece of
/// each alternative, each read once. The first point that holds alternative j of this axis is
/// j * stride (every other axis at its first alternative), so that is where an unreadable
/// alternative is reported. Axes own disjoint keys, so two points are the same configuration
/// exactly when, on every axis, their alternatives give the same values: the first repeated
/// point is j * stride for the first alternative j equal to an earlier one i (of i * stride).
SweepPointSpace::Axis resolve_axis(const SweepAxis& axis, const std::vector<std::string>& columns,
                                   const Config& base, const std::string& source_name,
                                   int64_t stride, AxisErrors& errors) {
  SweepPointSpace::Axis out;
  out.stride = stride;
  std::vector<std::string> own;  // this axis's columns, in column order
  for (const std::string& col : columns) {
    for (const auto& choice : axis.choices) {
      const auto sets_col = [&](const Assignment& x) { return x.key == col; };
      if (std::find_if(choice.begin(), choice.end(), sets_col) != choice.end()) {
        own.push_back(col);
        out.fields.push_back(config_field_index(col));
        break;
      }
    }
  }
  const auto earliest = [](int64_t& slot, int64_t at) {
    const bool earlier = slot < 0 || at < slot;
    slot = earlier ? at : slot;
    return earlier;
  };
  std::vector<bool> wanted(config_field_names().size(), false);
  for (const size_t f : out.fields) {
    wanted[f] = true;
  }
  // One config for every alternative: the axis's keys are set back to the base's values before
  // each one is read (reading an alternative sets only keys of its axis).
  Config cfg = base;
  const ConfigFields fields(cfg);
  std::vector<ConfigValue> base_values;
  for (const size_t f : out.fields) {
    base_values.push_back(fields.get(f));
  }
  std::map<std::string, size_t> first_with_key;
  for (size_t j = 0; j < axis.choices.size(); ++j) {
    const int64_t at = int64_t(j) * stride;
    for (size_t c = 0; c < out.fields.size(); ++c) {
      fields.set(out.fields[c], base_values[c]);
    }
    try {
      read_choice(source_name, axis.choices[j], cfg);
    } catch (const ConfigError&) {
      // plan_sweep() reports it at that point, before any point that uses the value is checked;
      // what the reader left in cfg is only stored.
      earliest(errors.unreadable_point, at);
    }
    SweepPointSpace::Choice choice;
    FlatConfig flat_visitor(&wanted);
    cfg.visit(flat_visitor);
    const std::vector<FlatConfig::Entry>& flat = flat_visitor.entries;
    YAML::Emitter resolved;
    resolved << YAML::Flow << YAML::BeginMap;
    std::vector<std::string> parts;
    for (size_t c = 0; c < own.size(); ++c) {
      choice.fields.push_back(fields.get(out.fields[c]));
      for (const FlatConfig::Entry& e : flat) {
        if (e.key == own[c]) {
          choice.values.push_back(e.text);
          parts.push_back(own[c] + "=" + e.text);
          resolved << YAML::Key << own[c] << YAML::Value;
          emit_entry(resolved, e);
        }
      }
    }
    resolved << YAML::EndMap;
    const std::string body = resolved.c_str();  // "{col: value, ...}"
    choice.resolved = body.substr(1, body.size() - 2);
    choice.key = fmt::format("{}", fmt::join(parts, ","));
    const auto [it, inserted] = first_with_key.emplace(choice.key, j);
    if (!inserted && earliest(errors.duplicate_point, at)) {
      errors.duplicate_of = int64_t(it->second) * stride;
    }
    out.choices.push_back(std::move(choice));
  }
  return out;
}

/// The assignments that make point `index`: config:, then each axis's alternative.
std::vector<const Assignment*> point_assignments(const SweepSpec& spec,
                                                 const SweepPointSpace& space, int64_t index) {
  std::vector<const Assignment*> assignments;
  for (const Assignment& a : spec.config) {
    assignments.push_back(&a);
  }
  for (size_t a = 0; a < spec.axes.size(); ++a) {
    for (const Assignment& x : spec.axes[a].choices[space.choice_of(index, a)]) {
      assignments.push_back(&x);
    }
  }
  return assignments;
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

SweepPoint SweepPlan::point(int64_t index) const {
  SweepPoint p;
  p.index = int(index);
  p.values = point_values(index);
  p.key = point_key(index);
  p.config = point_config(index);
  return p;
}

Config SweepPlan::point_config(int64_t index) const {
  Config c = space->base;
  const ConfigFields fields(c);
  for (size_t a = 0; a < space->axes.size(); ++a) {
    const SweepPointSpace::Axis& axis = space->axes[a];
    const SweepPointSpace::Choice& choice = axis.choices[space->choice_of(index, a)];
    for (size_t f = 0; f < axis.fields.size(); ++f) {
      fields.set(axis.fields[f], choice.fields[f]);
    }
  }
  return c;
}

std::string SweepPlan::point_key(int64_t index) const {
  std::string key;
  for (size_t a = 0; a < space->axes.size(); ++a) {
    key += (a == 0 ? "" : ",") + space->axes[a].choices[space->choice_of(index, a)].key;
  }
  return key;
}

std::vector<std::string> SweepPlan::point_values(int64_t index) const {
  std::vector<std::string> values;
  for (size_t a = 0; a < space->axes.size(); ++a) {
    const auto& v = space->axes[a].choices[space->choice_of(index, a)].values;
    values.insert(values.end(), v.begin(), v.end());
  }
  return values;
}

void SweepPlan::for_each_point(const std::function<void(const SweepPoint&)>& visit) const {
  SweepPoint p;
  p.config = space->base;
  const ConfigFields fields(p.config);
  const auto set_axis = [&](size_t a, size_t j) {
    const SweepPointSpace::Axis& axis = space->axes[a];
    for (size_t f = 0; f < axis.fields.size(); ++f) {
      fields.set(axis.fields[f], axis.choices[j].fields[f]);
    }
  };
  std::vector<size_t> odometer(space->axes.size(), 0);
  for (size_t a = 0; a < odometer.size(); ++a) {
    set_axis(a, 0);
  }
  for (int64_t n = 0; n < space->count; ++n) {
    p.index = int(n);
    p.values.clear();
    p.key.clear();
    for (size_t a = 0; a < odometer.size(); ++a) {
      const SweepPointSpace::Choice& choice = space->axes[a].choices[odometer[a]];
      p.values.insert(p.values.end(), choice.values.begin(), choice.values.end());
      p.key += (a == 0 ? "" : ",") + choice.key;
    }
    visit(p);
    for (size_t a = odometer.size(); a-- > 0;) {  // last axis fastest; only changed axes are set
      const bool carry = ++odometer[a] == space->axes[a].choices.size();
      odometer[a] = carry ? 0 : odometer[a];
      set_axis(a, odometer[a]);
      if (!carry) {
        break;
      }
    }
  }
}

std::string SweepPlan::resolved_yaml() const {
  std::string text = space->resolved_head;
  for_each_resolved_piece(*space, [&](std::string_view piece) { text += piece; });
  return text;
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

  // Each axis value is read once, on top of the base; a point is then its axes' values.
  auto space = std::make_shared<SweepPointSpace>();
  space->base = plan.base;
  space->count = count;
  AxisErrors errors;
  int64_t stride = count;
  for (const SweepAxis& axis : spec.axes) {
    stride /= int64_t(axis.choices.size());
    space->axes.push_back(resolve_axis(axis, plan.columns, plan.base, base.name, stride, errors));
  }
  plan.space = space;

  // Every point in order, as if each were built in turn: the first bad point's error wins, and
  // at one point a value the reader refuses comes before a cross-key rule, which comes before
  // being a repeat of an earlier point.
  bool all_cycle = true, all_functional = true;
  int64_t flips_without_cycle = -1;        // the first point with scheduled flips on another engine
  int64_t read_errors_without_cycle = -1;  // ... and with read errors
  plan.for_each_point([&](const SweepPoint& p) {
    if (p.index == errors.unreadable_point) {
      // The reader's own message, from building this point as a whole from YAML.
      build_config(base, point_assignments(spec, *space, p.index));
      throw std::logic_error("sweep: an axis value failed to read alone but not in its point");
    }
    validate_config(p.config);
    if (p.index == errors.duplicate_point) {
      const Assignment& first = spec.axes[0].choices[space->choice_of(p.index, 0)][0];
      throw ConfigError(
          fmt::format("{}: points {} and {} are the same configuration ({}); every "
                      "point of a sweep must differ",
                      first.origin, errors.duplicate_of, p.index, p.key));
    }
    all_cycle = all_cycle && p.config.engine == EngineKind::kCycle;
    all_functional = all_functional && p.config.engine == EngineKind::kFunctional;
    if (flips_without_cycle < 0 && !p.config.faults.scheduled_flips.empty() &&
        p.config.engine != EngineKind::kCycle) {
      flips_without_cycle = p.index;
    }
    if (read_errors_without_cycle < 0 && p.config.faults.weights.read_errors.ber > 0 &&
        p.config.engine != EngineKind::kCycle) {
      read_errors_without_cycle = p.index;
    }
  });
  if (flips_without_cycle >= 0) {
    check_scheduled_flips_engine(plan.point_config(flips_without_cycle), false,
                                 origin_of(spec, "faults.scheduled_flips") + ": ");
  }
  if (read_errors_without_cycle >= 0) {
    check_read_errors_engine(plan.point_config(read_errors_without_cycle), false,
                             origin_of(spec, "faults.weights.read_errors.ber") + ": ");
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
  space->resolved_head = emit_resolved_head(plan);
  Fnv1a hash;
  hash.add(space->resolved_head);
  for_each_resolved_piece(*space, [&](std::string_view piece) { hash.add(piece); });
  plan.fingerprint = hash.value();
  return plan;
}

}  // namespace safsim
