// A Config visitor that builds JSON (config_json.h); the same visit() list as the YAML writer.
#include "sim/config/json.h"

#include <string>
#include <vector>

namespace safsim {
namespace {

class JsonWriter {
 public:
  explicit JsonWriter(nlohmann::ordered_json& out) : out_(out) {}

  template <class T, class L>
  void value(const char* key, T& v, L, L, const char*) {
    out_[key] = v;
  }
  void value(const char* key, bool& v, const char*) { out_[key] = v; }
  void value(const char* key, std::string& v, const char*) { out_[key] = v; }
  void value(const char* key, std::vector<std::string>& v, const char*) { out_[key] = v; }
  template <class E>
  void choice(const char* key, E& v, const EnumNames<E>& names, const char*) {
    for (const auto& n : names) {
      if (n.second == v) {
        out_[key] = n.first;
      }
    }
  }
  template <class S>
  void section(const char* key, S& s, const char*) {
    nlohmann::ordered_json sub = nlohmann::ordered_json::object();
    JsonWriter w(sub);
    s.visit(w);
    out_[key] = std::move(sub);
  }

 private:
  nlohmann::ordered_json& out_;
};

}  // namespace

nlohmann::ordered_json config_to_json(const Config& c) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  JsonWriter w(j);
  Config copy = c;  // visit() takes its members by reference
  copy.visit(w);
  return j;
}

}  // namespace safsim
