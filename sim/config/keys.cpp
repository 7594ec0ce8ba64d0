// Lookup and unknown-key messages over the config schema (config_keys.h).
#include "sim/config/keys.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/did_you_mean.h"

namespace safsim {

const ConfigKey* find_key(const std::vector<ConfigKey>& keys, const std::string& name) {
  for (const ConfigKey& k : keys) {
    if (k.name == name) {
      return &k;
    }
  }
  return nullptr;
}

std::string unknown_key_message(const std::string& path, const std::string& name,
                                const std::vector<ConfigKey>& keys) {
  std::vector<std::string> names;
  names.reserve(keys.size());
  for (const ConfigKey& k : keys) {
    names.push_back(k.name);
  }
  std::sort(names.begin(), names.end());
  const std::string suggestion = did_you_mean(name, names);
  const std::string hint =
      suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion);
  return fmt::format("unknown key '{}'{}; allowed keys: {}", path, hint, fmt::join(names, ", "));
}

}  // namespace safsim
