// VCD traces: scope globs, the cycle window, and that GTKWave's vcd2fst accepts the file.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "sim/engines/cycle_engine.h"
#include "tests/support/cycle_test_util.h"
#include "tests/support/files.h"

using namespace safsim;

TEST_CASE("vcd trace holds the selected PEs controller and nvm and converts with vcd2fst",
          "[cycle][trace]") {
  const std::string dir = (std::filesystem::temp_directory_path() / "safsim_trace_test").string();
  std::filesystem::remove_all(dir);
  const QuantModel qm = test::quantized(test::odd_shapes_model(5), 8);
  TraceConfig t;
  t.enabled = true;
  t.file = "trace.vcd";
  t.scopes = {"accelerator.array.pe_1_*", "accelerator.controller", "accelerator.nvm",
              "accelerator.ifmap_sram", "accelerator.clk"};
  t.start_cycle = 10;
  t.end_cycle = 60;
  {
    CycleEngine engine(qm, deploy_fault_free(qm), test::array_config(4, 4, false), t, dir);
    const CycleResult r = engine.run(test::random_images(qm.input_shape, 1, 2));
    REQUIRE(engine.trace_path() == dir + "/trace.vcd");
  }  // the engine closes the VCD
  const std::string vcd = safsim::test::read_all(dir + "/trace.vcd");
  for (const char* name : {"pe_1_0", "pe_1_3", "weight", "input", "psum", "valid", "stream_fold",
                           "layer", "read_address", "read_raw", "read_decoded", "clk"}) {
    INFO(name);
    REQUIRE(vcd.find(name) != std::string::npos);
  }
  // Value changes only inside the window: cycle n's negedge is at n x 2000 ps (500 MHz), its
  // posedge 1000 ps later; the very last time stamp is written when the file closes.
  std::vector<uint64_t> stamps;
  for (size_t p = vcd.find("\n#"); p != std::string::npos; p = vcd.find("\n#", p + 1)) {
    stamps.push_back(std::stoull(vcd.substr(p + 2)));
  }
  REQUIRE(stamps.size() > 3);
  REQUIRE(stamps[1] >= 10 * 2000);
  REQUIRE(stamps[stamps.size() - 2] <= 60 * 2000 + 1000);
  REQUIRE(vcd.find("pe_0_0") == std::string::npos);  // outside the globs
  REQUIRE(vcd.find("pe_2_1") == std::string::npos);
  const std::string cmd = "vcd2fst " + dir + "/trace.vcd " + dir + "/trace.fst > /dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  REQUIRE(std::filesystem::file_size(dir + "/trace.fst") > 0);
  const std::string back = "fst2vcd " + dir + "/trace.fst > " + dir + "/back.vcd 2>/dev/null";
  REQUIRE(std::system(back.c_str()) == 0);
  const std::string round_trip = safsim::test::read_all(dir + "/back.vcd");
  REQUIRE(round_trip.find("pe_1_2") != std::string::npos);
  REQUIRE(round_trip.find("stream_fold") != std::string::npos);
}
