// Config text -> validated Config, as `safsim eval FILE --set ...` reads it (parse_config:
// YAML, the --set overrides, every key's type and range, the cross-key checks). The lines after
// a line "#--set" are overrides, one per line, so the fuzzer reaches apply_overrides() too.
// A config that parses must also parse again from its resolved dump (config.resolved.yaml is
// meant to be run again).
#include <string>
#include <vector>

#include "sim/config.h"
#include "tests/fuzz/libfuzzer/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::string yaml = input;
  std::vector<std::string> overrides;
  const std::string marker = "#--set\n";
  const size_t at = input.rfind(marker, 0) == 0 ? 0 : input.find("\n" + marker);
  if (at != std::string::npos) {
    const size_t begin = at == 0 ? marker.size() : at + 1 + marker.size();
    yaml = input.substr(0, at);
    for (size_t p = begin; p < input.size();) {
      const size_t end = std::min(input.find('\n', p), input.size());
      overrides.push_back(input.substr(p, end - p));
      p = end + 1;
    }
  }
  safsim::fuzz::expect_clean([&] {
    const safsim::Config c = safsim::parse_config(yaml, "fuzz.yaml", overrides);
    const std::string resolved = safsim::dump_config(c);
    try {
      safsim::parse_config(resolved, "config.resolved.yaml");
    } catch (const safsim::UserError& e) {
      safsim::fuzz::require(false, (std::string("the resolved config does not parse again: ") +
                                    e.what() + "\n" + resolved)
                                       .c_str());
    }
  });
  return 0;
}
