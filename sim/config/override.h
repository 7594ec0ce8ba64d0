// `--set key.path=value` overrides: checked against the config schema, then merged into the
// file's YAML tree before it is read, so they pass the same type and range checks as the file.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

namespace safsim {

/// Applies each override (in order; a later one wins) to `root`, creating the maps on its path.
/// `value` is parsed as a YAML flow value: `rows=32`, `scopes=[a, b]`, `file="x y"`.
/// Returns dotted key path -> override text, so errors in those values name the override.
/// Throws ConfigError naming the override when it has no '=', its key is not declared (with a
/// did-you-mean), it names a section rather than a value, or its value is not valid YAML.
///   YAML::Node root = YAML::Load(text);
///   auto origin = apply_overrides(root, {"accelerator.array.rows=32"});
std::map<std::string, std::string> apply_overrides(YAML::Node& root,
                                                   const std::vector<std::string>& overrides);

}  // namespace safsim
