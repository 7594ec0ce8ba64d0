// The sweep metric catalogue: its generated table in docs/sweeps.md and its getters.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "sim/sweep/metrics.h"

namespace safsim {

TEST_CASE("docs/sweeps.md holds the generated metric table", "[sweep]") {
  const std::string path = std::string(SAFSIM_SOURCE_DIR) + "/docs/sweeps.md";
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const std::string begin = "<!-- metric-reference: begin -->\n";
  const std::string end = "<!-- metric-reference: end -->";
  const size_t a = doc.find(begin);
  const size_t b = doc.find(end);
  REQUIRE(a != std::string::npos);
  REQUIRE(b != std::string::npos);
  INFO(path << " is out of date; replace the table between the markers with the output of\n"
            << "  ./build/safsim metric-reference");
  const bool up_to_date =
      doc.substr(a + begin.size(), b - a - begin.size()) == metric_reference_markdown();
  CHECK(up_to_date);
}

TEST_CASE("every catalogue row reads its own value from a trial", "[sweep]") {
  TrialMeasurement m;
  m.accuracy = 0.75;
  m.fault_free_accuracy = 0.875;
  m.stats.weights = 8;
  m.stats.weights_with_1_non_silent = 2;
  m.stats.defective_cells = 5;
  m.stats.deviation_histogram_after[3] = 7;
  m.cycle = {{"cycles", 1234.0}};
  m.selftest = {{"harmful", 1.0}};
  const std::vector<double> v =
      metric_values({"accuracy", "accuracy_drop", "ratio_1_non_silent", "defective_cells",
                     "deviation_histogram_after_3", "cycles", "energy_pj", "harmful"},
                    m);
  CHECK(v == std::vector<double>{0.75, 0.125, 0.25, 5.0, 7.0, 1234.0, 0.0, 1.0});
  for (const MetricInfo& info : metric_catalog()) {
    CHECK(info.get);
  }
}

}  // namespace safsim
