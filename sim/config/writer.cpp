// Config -> YAML emission (config_writer.h). Strings are always double-quoted so that values
// like "true", "null" or "0x10" stay strings for any YAML reader, not only ours.
#include "sim/config/writer.h"

#include <fmt/format.h>

namespace safsim {

void ConfigWriter::value(const char* key, int& v, int /*lo*/, int /*hi*/, const char* /*doc*/) {
  out_ << YAML::Key << key << YAML::Value << v;
}

void ConfigWriter::value(const char* key, int64_t& v, int64_t /*lo*/, int64_t /*hi*/,
                         const char* /*doc*/) {
  out_ << YAML::Key << key << YAML::Value << v;
}

void ConfigWriter::value(const char* key, uint64_t& v, uint64_t /*lo*/, uint64_t /*hi*/,
                         const char* /*doc*/) {
  out_ << YAML::Key << key << YAML::Value << v;
}

void ConfigWriter::value(const char* key, double& v, double /*lo*/, double /*hi*/,
                         const char* /*doc*/) {
  // fmt's shortest round-trip form: 0.1 rather than the emitter's 0.10000000000000001.
  out_ << YAML::Key << key << YAML::Value << fmt::format("{}", v);
}

void ConfigWriter::value(const char* key, bool& v, const char* /*doc*/) {
  out_ << YAML::Key << key << YAML::Value << YAML::TrueFalseBool << v;
}

void ConfigWriter::value(const char* key, std::string& v, const char* /*doc*/) {
  out_ << YAML::Key << key << YAML::Value << YAML::DoubleQuoted << v;
}

void ConfigWriter::value(const char* key, std::vector<std::string>& v, const char* /*doc*/) {
  out_ << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const std::string& item : v) {
    out_ << YAML::DoubleQuoted << item;
  }
  out_ << YAML::EndSeq;
}

void ConfigWriter::value(const char* key, std::vector<double>& v, double /*lo*/, double /*hi*/,
                         const char* /*doc*/) {
  out_ << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const double item : v) {
    out_ << fmt::format("{}", item);
  }
  out_ << YAML::EndSeq;
}

void emit_config(YAML::Emitter& out, const Config& cfg) {
  Config copy = cfg;  // visit() is non-const: one declaration serves reading and writing
  ConfigWriter writer(out);
  copy.visit(writer);
}

}  // namespace safsim
