// The config schema as plain data: the key names each section declares in its visit(), nested.
// Used where keys are looked up by runtime name (unknown-key errors, --set paths).
#pragma once

#include <string>
#include <vector>

#include "sim/config.h"

namespace safsim {

/// One declared key; a section key has the keys of its section as children.
struct ConfigKey {
  std::string name;
  bool is_section = false;
  std::vector<ConfigKey> children;
};

/// Visitor that records the keys of a section (recursively), in declaration order.
///   ConfigKeyLister l;  cfg.visit(l);  // l.keys[0].name == "workload"
class ConfigKeyLister {
 public:
  std::vector<ConfigKey> keys;

  // Leaves: the value and its bounds do not matter here, only the name.
  template <class T, class... Rest>
  void value(const char* key, T& /*value*/, Rest&&... /*bounds_and_doc*/) {
    keys.push_back(ConfigKey{key, false, {}});
  }
  template <class E>
  void choice(const char* key, E& /*value*/, const EnumNames<E>& /*names*/, const char* /*doc*/) {
    keys.push_back(ConfigKey{key, false, {}});
  }
  template <class S>
  void section(const char* key, S& s, const char* /*doc*/) {
    ConfigKeyLister sub;
    s.visit(sub);
    keys.push_back(ConfigKey{key, true, std::move(sub.keys)});
  }
};

/// The keys section `s` declares (visit() is non-const, so `s` is taken by reference; it is
/// not modified).
///   std::vector<ConfigKey> top = config_keys(cfg);
template <class S>
std::vector<ConfigKey> config_keys(S& s) {
  ConfigKeyLister lister;
  s.visit(lister);
  return std::move(lister.keys);
}

/// The key called `name` in `keys`, or nullptr.
const ConfigKey* find_key(const std::vector<ConfigKey>& keys, const std::string& name);

/// "unknown key 'accelerator.aray' (did you mean 'array'?); allowed keys: array, clock_mhz, ..."
/// for key `name` at dotted path `path`, looked up among `keys` (listed sorted, for scanning).
std::string unknown_key_message(const std::string& path, const std::string& name,
                                const std::vector<ConfigKey>& keys);

}  // namespace safsim
