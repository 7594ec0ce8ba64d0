// Defect-map text -> DefectMap, as `faults.weights.stuck_at.map_file` is read (the header, its
// checksum, one `word bit value` line per stuck cell). A map that parses must write and read
// back to the same map.
#include <sstream>
#include <string>

#include "memory/defect_map.h"
#include "tests/fuzz/libfuzzer/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  safsim::fuzz::expect_clean([&] {
    std::istringstream in(text);
    const safsim::DefectMap m = safsim::read_defect_map(in, "fuzz.map");
    std::ostringstream out;
    safsim::write_defect_map(out, m);
    std::istringstream again(out.str());
    safsim::fuzz::require(safsim::read_defect_map(again, "written.map") == m,
                          "a defect map does not read back as written");
  });
  return 0;
}
