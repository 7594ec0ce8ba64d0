// A guard for yaml-cpp's LoadAll(): on a ',' where a document starts (the text ",", or "[a, b]"
// followed by ", 1"), its parser returns an empty document without consuming the ',', again
// and again, and LoadAll() collects them until memory runs out (a config with one stray comma
// took 23 GB before the kernel killed it).
#pragma once

#include <yaml-cpp/mark.h>

#include <optional>
#include <string>

namespace safsim {

/// Where LoadAll() would stall in `text` (the ',' it cannot get past), found by scanning it
/// without building nodes; nullopt when it would not. Syntax errors are left to the real load,
/// which reports them.
std::optional<YAML::Mark> yaml_stall(const std::string& text);

/// "source:line:col: YAML syntax error: unexpected ','" of a stall, for ConfigError.
std::string yaml_stall_message(const std::string& text, const YAML::Mark& at,
                               const std::string& source_name);

}  // namespace safsim
