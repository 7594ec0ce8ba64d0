// Config -> YAML: every key with its value (enums by name), in declaration order. The output
// reads back to the same Config (config.resolved.yaml is a valid config).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/config.h"

namespace safsim {

/// Visitor that emits a section's keys as entries of the map `out` is currently in.
///   YAML::Emitter out;  out << YAML::BeginMap;
///   ConfigWriter w(out);  cfg.visit(w);  out << YAML::EndMap;
class ConfigWriter {
 public:
  explicit ConfigWriter(YAML::Emitter& out) : out_(out) {}

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
    for (const auto& n : names) {
      if (n.second == v) {
        out_ << YAML::Key << key << YAML::Value << n.first;
        return;
      }
    }
    out_ << YAML::Key << key << YAML::Value << YAML::Null;  // not reachable from a parsed config
  }

  template <class S>
  void section(const char* key, S& s, const char* /*doc*/) {
    out_ << YAML::Key << key << YAML::Value << YAML::BeginMap;
    s.visit(*this);
    out_ << YAML::EndMap;
  }

 private:
  YAML::Emitter& out_;
};

/// Emits every key of `cfg` into the map `out` is currently in (dump_config adds `version`).
void emit_config(YAML::Emitter& out, const Config& cfg);

}  // namespace safsim
