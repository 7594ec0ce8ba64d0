// `selftest:` of a sweep file (detection.h).
#include "sim/sweep/detection.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/did_you_mean.h"
#include "base/errors.h"
#include "sim/sweep/spec.h"

namespace safsim {
namespace {

struct Reader {
  const std::string& path;

  [[noreturn]] void fail(const YAML::Node& n, const std::string& message) const {
    throw ConfigError(fmt::format("{}: {}", mark_location(path, n.Mark()), message));
  }

  void check_keys(const YAML::Node& map, const std::vector<std::string>& allowed,
                  const std::string& what) const {
    if (!map.IsMap()) {
      fail(map, fmt::format("{} must be a map", what));
    }
    for (const auto& entry : map) {
      const std::string key = entry.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        const std::string guess = did_you_mean(key, allowed);
        fail(entry.first,
             fmt::format("unknown key '{}.{}'{}; allowed: {}", what, key,
                         guess.empty() ? "" : fmt::format(" (did you mean '{}'?)", guess),
                         fmt::join(allowed, ", ")));
      }
    }
  }

  template <class T>
  T number(const YAML::Node& n, const std::string& what, T lo, T hi) const {
    T v{};
    try {
      v = n.as<T>();
    } catch (const YAML::Exception&) {
      fail(n, fmt::format("{} must be a number in [{}, {}]", what, lo, hi));
    }
    if (!(v >= lo && v <= hi)) {
      fail(n, fmt::format("{} must be in [{}, {}], got {}", what, lo, hi, n.Scalar()));
    }
    return v;
  }

  std::string one_of(const YAML::Node& n, const std::string& what,
                     const std::vector<std::string>& allowed) const {
    const std::string v = n.IsScalar() ? n.Scalar() : "";
    if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
      fail(n, fmt::format("{} must be one of {}, got '{}'", what, fmt::join(allowed, ", "), v));
    }
    return v;
  }
};

}  // namespace

SelectionOptions SweepSelfTest::options_for(SelectionStrategy s) const {
  SelectionOptions o = options;
  o.strategy = s;
  o.count = s == SelectionStrategy::kCoverage ? 0 : count;
  return o;
}

SweepSelfTest parse_sweep_selftest(const YAML::Node& node, const std::string& path) {
  const Reader r{path};
  r.check_keys(
      node,
      {"strategies", "count", "harm_threshold_points", "criterion", "grad_label", "sensitivity"},
      "selftest");
  SweepSelfTest s;
  s.enabled = true;
  const YAML::Node strategies = node["strategies"];
  if (!strategies || !strategies.IsSequence() || strategies.size() == 0) {
    r.fail(strategies ? strategies : node, "selftest needs 'strategies:', a non-empty list");
  }
  for (const YAML::Node& n : strategies) {
    const std::string where = mark_location(path, n.Mark());
    const SelectionStrategy st = parse_selection_strategy(n.IsScalar() ? n.Scalar() : "", where);
    if (std::find(s.strategies.begin(), s.strategies.end(), st) != s.strategies.end()) {
      r.fail(n, fmt::format("strategy '{}' is listed twice", n.Scalar()));
    }
    s.strategies.push_back(st);
  }
  if (const YAML::Node n = node["count"]) {
    s.count = r.number<int>(n, "selftest.count", 1, 100000);
  }
  if (const YAML::Node n = node["harm_threshold_points"]) {
    s.harm_threshold_points = r.number<double>(n, "selftest.harm_threshold_points", 0.0, 100.0);
  }
  if (const YAML::Node n = node["criterion"]) {
    r.check_keys(n, {"min_mismatches", "logit_threshold"}, "selftest.criterion");
    if (const YAML::Node m = n["min_mismatches"]) {
      s.criterion.min_mismatches = r.number<int>(m, "selftest.criterion.min_mismatches", 1, 100000);
    }
    if (const YAML::Node m = n["logit_threshold"]) {
      s.criterion.logit_threshold =
          r.number<double>(m, "selftest.criterion.logit_threshold", 0.0, 1e9);
    }
  }
  if (const YAML::Node n = node["grad_label"]) {
    s.options.label = r.one_of(n, "selftest.grad_label", {"golden", "true"}) == "true"
                          ? GradientLabel::kTrue
                          : GradientLabel::kGolden;
  }
  if (const YAML::Node n = node["sensitivity"]) {
    r.check_keys(n, {"maps", "mode", "rate"}, "selftest.sensitivity");
    if (const YAML::Node m = n["maps"]) {
      s.options.sensitivity_maps = r.number<int>(m, "selftest.sensitivity.maps", 1, 100000);
    }
    if (const YAML::Node m = n["mode"]) {
      s.options.sensitivity_faults.mode =
          r.one_of(m, "selftest.sensitivity.mode", {"random", "msb"}) == "msb"
              ? FaultKind::kMsbFlips
              : FaultKind::kRandomFlips;
    }
    if (const YAML::Node m = n["rate"]) {
      s.options.sensitivity_faults.rate =
          r.number<double>(m, "selftest.sensitivity.rate", 0.0, 1.0);
    }
  }
  return s;
}

void emit_sweep_selftest(YAML::Emitter& out, const SweepSelfTest& s) {
  out << YAML::BeginMap;
  out << YAML::Key << "strategies" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const SelectionStrategy st : s.strategies) {
    out << to_string(st);
  }
  out << YAML::EndSeq;
  out << YAML::Key << "count" << YAML::Value << s.count;
  out << YAML::Key << "harm_threshold_points" << YAML::Value << s.harm_threshold_points;
  out << YAML::Key << "criterion" << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "min_mismatches" << YAML::Value << s.criterion.min_mismatches;
  out << YAML::Key << "logit_threshold" << YAML::Value << s.criterion.logit_threshold;
  out << YAML::EndMap;
  out << YAML::Key << "grad_label" << YAML::Value
      << (s.options.label == GradientLabel::kTrue ? "true" : "golden");
  out << YAML::Key << "sensitivity" << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "maps" << YAML::Value << s.options.sensitivity_maps;
  out << YAML::Key << "mode" << YAML::Value
      << (s.options.sensitivity_faults.mode == FaultKind::kMsbFlips ? "msb" : "random");
  out << YAML::Key << "rate" << YAML::Value << s.options.sensitivity_faults.rate;
  out << YAML::EndMap;
  out << YAML::EndMap;
}

std::vector<std::string> selftest_columns(const SweepSelfTest& s) {
  std::vector<std::string> cols;
  if (!s.enabled) {
    return cols;
  }
  cols.push_back("harmful");
  for (const SelectionStrategy st : s.strategies) {
    cols.push_back(fmt::format("detected_{}", to_string(st)));
  }
  return cols;
}

}  // namespace safsim
