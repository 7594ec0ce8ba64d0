// The LoadAll() stall guard (yaml_stall.h).
#include "sim/config/yaml_stall.h"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <sstream>
#include <vector>

namespace safsim {
namespace {

/// Records where each document starts; ignores everything else.
class DocumentStarts : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;

  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

std::optional<YAML::Mark> yaml_stall(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts d;
  try {
    // A stalled parser starts its next document where the last one started; a real document
    // starts past it. The stall may come after any number of documents ("a #\nb\n#\n,"
    // stalls at its fourth start; found by the config's libFuzzer target), so every start is
    // checked; the scan is linear in the text either way.
    while (parser.HandleNextDocument(d)) {
      const size_t n = d.starts.size();
      if (n >= 2 && d.starts[n - 1].pos <= d.starts[n - 2].pos) {
        return d.starts[n - 1];
      }
    }
  } catch (const YAML::Exception&) {
    // A syntax error: the load that follows reports it.
  }
  return std::nullopt;
}

std::string yaml_stall_message(const std::string& text, const YAML::Mark& at,
                               const std::string& source_name) {
  const char c = at.pos >= 0 && size_t(at.pos) < text.size() ? text[size_t(at.pos)] : '?';
  return fmt::format("{}:{}:{}: YAML syntax error: unexpected '{}'", source_name, at.line + 1,
                     at.column + 1, c);
}

}  // namespace safsim
