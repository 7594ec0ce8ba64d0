// Config value keys by index (fields.h): one visitor walk per Config object collects a typed
// getter and setter per key; the names are listed once per process.
#include "sim/config/fields.h"

#include <map>
#include <type_traits>

namespace safsim {
namespace {

template <class T>
ConfigValue get_as(const void* p) {
  return ConfigValue(std::in_place_type<T>, *static_cast<const T*>(p));
}
template <class T>
void set_as(void* p, const ConfigValue& v) {
  *static_cast<T*>(p) = std::get<T>(v);
}
template <class E>
ConfigValue get_enum(const void* p) {
  return ConfigValue(std::in_place_type<int>, static_cast<int>(*static_cast<const E*>(p)));
}
template <class E>
void set_enum(void* p, const ConfigValue& v) {
  *static_cast<E*>(p) = static_cast<E>(std::get<int>(v));
}

/// Collects each value key's address (and, when `names` is set, its dotted name).
class FieldCollector {
 public:
  explicit FieldCollector(std::vector<ConfigFields::Field>& fields, std::vector<std::string>* names)
      : fields_(fields), names_(names) {}

  template <class T, class... Rest>
  void value(const char* key, T& v, Rest&&... /*bounds_and_doc*/) {
    static_assert(std::is_constructible_v<ConfigValue, std::in_place_type_t<T>, T&>,
                  "a config value type that ConfigValue lacks");
    fields_.push_back({&v, &get_as<T>, &set_as<T>});
    name(key);
  }
  template <class E>
  void choice(const char* key, E& v, const EnumNames<E>& /*names*/, const char* /*doc*/) {
    if constexpr (std::is_enum_v<E>) {
      fields_.push_back({&v, &get_enum<E>, &set_enum<E>});
    } else {  // a choice among names kept as the name itself (nvm.tech)
      fields_.push_back({&v, &get_as<E>, &set_as<E>});
    }
    name(key);
  }
  template <class S>
  void section(const char* key, S& s, const char* /*doc*/) {
    const std::string saved = prefix_;
    prefix_ += std::string(key) + ".";
    s.visit(*this);
    prefix_ = saved;
  }

 private:
  void name(const char* key) {
    if (names_ != nullptr) {
      names_->push_back(prefix_ + key);
    }
  }

  std::vector<ConfigFields::Field>& fields_;
  std::vector<std::string>* names_;
  std::string prefix_;
};

struct FieldNames {
  std::vector<std::string> names;
  std::map<std::string, size_t> index;

  FieldNames() {
    Config c;
    std::vector<ConfigFields::Field> fields;
    FieldCollector collect(fields, &names);
    c.visit(collect);
    for (size_t i = 0; i < names.size(); ++i) {
      index.emplace(names[i], i);
    }
  }
};

const FieldNames& field_names() {
  static const FieldNames names;
  return names;
}

}  // namespace

const std::vector<std::string>& config_field_names() { return field_names().names; }

size_t config_field_index(const std::string& dotted) {
  const auto& index = field_names().index;
  const auto it = index.find(dotted);
  return it == index.end() ? std::string::npos : it->second;
}

ConfigFields::ConfigFields(Config& c) {
  fields_.reserve(config_field_names().size());
  FieldCollector collect(fields_, nullptr);
  c.visit(collect);
}

ConfigValue ConfigFields::get(size_t i) const { return fields_[i].get(fields_[i].ptr); }

void ConfigFields::set(size_t i, const ConfigValue& v) const { fields_[i].set(fields_[i].ptr, v); }

}  // namespace safsim
