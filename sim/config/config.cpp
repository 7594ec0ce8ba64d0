// Config loading (YAML text + --set overrides -> strict read -> cross-checks) and dumping.
#include "sim/config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/errors.h"
#include "base/input_files.h"
#include "memory/scheduled_flips.h"
#include "sim/config/override.h"
#include "sim/config/reader.h"
#include "sim/config/writer.h"
#include "workloads/onnx_import.h"

namespace safsim {

/// Checks that involve several keys; single-key type and range checks live in the visit()s.
void validate_config(const Config& cfg) {
  // Add each rule here with its own ConfigError naming every key involved.
  parse_scheduled_flips(cfg.faults.scheduled_flips);  // syntax; addresses need the model
  if (cfg.selftest.enabled && cfg.selftest.testset.empty()) {
    throw ConfigError(
        "selftest.enabled is true but selftest.testset is empty: name the testset.json "
        "(`safsim select`) the SelfTestController loads");
  }
}

Config parse_config(const std::string& yaml_text, const std::string& source_name,
                    const std::vector<std::string>& overrides) {
  YAML::Node root = load_yaml_document(yaml_text, source_name, "a config");
  ConfigSource source{source_name, apply_overrides(root, overrides)};
  Config cfg;
  read_config(root, source, cfg);
  validate_config(cfg);
  // A zoo name that names no model fails at its key, not later where the model is loaded.
  const std::string model_problem = unknown_model_problem(cfg.workload.model);
  if (!model_problem.empty()) {
    fail_at_key(root, source, "workload.model", model_problem);
  }
  return cfg;
}

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  const InputFile f = read_input_file(path);
  if (!f.problem.empty()) {
    throw ConfigError(fmt::format("{}: cannot open config file: {}", path, f.problem));
  }
  return parse_config(f.bytes, path, overrides);
}

std::string dump_config(const Config& c) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "version" << YAML::Value << YAML::DoubleQuoted
      << SAFSIM_VERSION;
  emit_config(out, c);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

void check_scheduled_flips_engine(const Config& c, bool cycle_engine, const std::string& where) {
  if (!cycle_engine && !c.faults.scheduled_flips.empty()) {
    throw ConfigError(
        where +
        "faults.scheduled_flips needs engine: cycle (the functional engine has no "
        "cycles or addresses; use faults.weights.bitflip or faults.activations.bitflip)");
  }
}

void check_read_errors_engine(const Config& c, bool cycle_engine, const std::string& where) {
  const double ber = c.faults.weights.read_errors.ber;
  if (!cycle_engine && ber > 0) {
    throw ConfigError(fmt::format(
        "{}faults.weights.read_errors.ber = {:g} needs engine: cycle (each NVM read draws its own "
        "errors; the functional engine reads every weight once for all images; use `safsim run`, "
        "a sweep with engine: cycle, or faults.weights.bitflip for errors in the stored words)",
        where, ber));
  }
}

}  // namespace safsim
