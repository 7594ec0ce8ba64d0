// Typed access to a Config's value keys by position in declaration order. A sweep resolves each
// axis value once (YAML -> typed value through the config reader) and then sets it on the
// configs of every point that uses it, which is what makes planning a million points cheap:
// re-reading a YAML tree per point costs tens of microseconds, setting a few fields nanoseconds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "sim/config.h"

namespace safsim {

/// The value of one key, detached from any Config. An enum key (a `choice`) holds its
/// enumerator as an int; a choice among names kept as text (nvm.tech) holds the name.
using ConfigValue = std::variant<bool, int, int64_t, uint64_t, double, std::string,
                                 std::vector<std::string>, std::vector<double>>;

/// Position of every value key (dotted name) in declaration order, as Config::visit() lists
/// them: the same for every Config object.
///   size_t i = config_field_index("faults.weights.stuck_at.rate");
const std::vector<std::string>& config_field_names();
/// Index of `dotted` in config_field_names(); npos when it is not a value key.
size_t config_field_index(const std::string& dotted);

/// Reads and writes the value keys of one Config object by index. It points into `c`, which
/// must outlive it and not move.
///   Config c;  ConfigFields f(c);
///   f.set(i, f_other.get(i));   // copies one key from another config
class ConfigFields {
 public:
  explicit ConfigFields(Config& c);
  ConfigFields(const ConfigFields&) = delete;
  ConfigFields& operator=(const ConfigFields&) = delete;

  ConfigValue get(size_t i) const;
  /// `v` must hold the alternative get(i) returns (it came from a Config's get(i)).
  void set(size_t i, const ConfigValue& v) const;

  using Getter = ConfigValue (*)(const void*);
  using Setter = void (*)(void*, const ConfigValue&);
  struct Field {
    void* ptr;
    Getter get;
    Setter set;
  };

 private:
  std::vector<Field> fields_;
};

}  // namespace safsim
