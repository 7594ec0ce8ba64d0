// A sweep file as written: base config, inline overrides, axes, repeat, seed and metrics. Every
// config key it names is checked against the schema here, with file:line:col, before any trial.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/sweep/detection.h"

namespace safsim {

/// One config key set to one YAML value. `origin` ("sweep.yaml:12:17") prefixes any error the
/// config reader later finds in the value (type, range), so it points into the sweep file.
struct Assignment {
  std::string key;  // dotted config key, e.g. faults.weights.stuck_at.rate
  YAML::Node value;
  std::string origin;
};

/// One entry of `axes:`, normalised: the list of alternatives it contributes to the cartesian
/// product. A grid axis has one assignment per alternative, a zip one per zipped key, an
/// explicit point whatever keys it sets.
struct SweepAxis {
  enum class Kind { kGrid, kZip, kPoints };
  Kind kind = Kind::kGrid;
  std::string origin;  // position of the entry, for messages
  std::vector<std::vector<Assignment>> choices;
};

struct SweepMetricName {
  std::string name;
  std::string origin;
};

/// The parsed sweep file (docs/sweeps.md).
///   SweepSpec s = load_sweep("configs/sweeps/example_rates.yaml");
///   // s.axes[0].choices.size() == number of values of the first axis
struct SweepSpec {
  std::string path;       // the sweep file, as given
  std::string name;       // `name:` or the file stem
  std::string base_path;  // `base:` resolved against the sweep file's directory; empty = none
  std::string base_origin;
  std::vector<Assignment> config;  // `config:` (and `engine:`) flattened to leaf keys
  std::vector<SweepAxis> axes;
  int repeat = 1;
  uint64_t seed = 1;
  std::vector<SweepMetricName> metrics;  // empty: the engine's default metrics
  SweepSelfTest selftest;                // `selftest:` (docs/selftest.md); off when absent
};

/// Parses a sweep from YAML text; `path` names it in errors and anchors a relative `base:`.
/// Throws ConfigError "path:line:col: ..." on an unknown top-level or config key (with a
/// did-you-mean), an empty axis, unequal zip lengths, a key set twice, or a bad scalar.
SweepSpec parse_sweep(const std::string& yaml_text, const std::string& path);

/// Reads and parses a sweep file; throws ConfigError when it cannot be read.
SweepSpec load_sweep(const std::string& path);

/// Reads a whole text file; throws ConfigError "<what> '<path>': <reason>" when it cannot.
std::string read_text_file(const std::string& path, const char* what);

/// "file:line:col" of `mark` (just `file` for a null mark).
std::string mark_location(const std::string& file, const YAML::Mark& mark);

}  // namespace safsim
