// VCD traces: scope globs, the cycle window, the GTKWave save file, weight_valid, the size
// estimate and its limit, and that GTKWave's vcd2fst accepts the file.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "base/errors.h"
#include "base/trace.h"
#include "sim/engines/cycle_engine.h"
#include "tests/support/cycle_test_util.h"
#include "tests/support/files.h"
#include "tests/support/shape_models.h"

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
  // posedge 1000 ps later. The file opens at cycle 10's negedge (its initial values) and closes
  // at the end of cycle 60, which is its last time stamp.
  std::vector<uint64_t> stamps;
  for (size_t p = vcd.find("\n#"); p != std::string::npos; p = vcd.find("\n#", p + 1)) {
    stamps.push_back(std::stoull(vcd.substr(p + 2)));
  }
  REQUIRE(stamps.size() > 3);
  REQUIRE(vcd.find("initial values are dumped below at time 2e-08 sec") != std::string::npos);
  REQUIRE(stamps.front() == 10 * 2000 + 1000);
  REQUIRE(stamps[stamps.size() - 2] <= 60 * 2000 + 1000);
  REQUIRE(stamps.back() == 61 * 2000);
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

namespace {

// Value changes of one VCD signal, by its full name ("accelerator.array.pe_1_0.weight_valid"):
// (time, value) in file order, the initial value at time 0.
std::vector<std::pair<uint64_t, std::string>> changes_of(const std::string& vcd,
                                                         const std::string& full_name) {
  // Scopes nest as "$scope module accelerator $end ... $var wire 1 <id> <leaf> $end".
  std::vector<std::string> scope;
  std::string id;
  std::istringstream in(vcd);
  std::string line;
  while (id.empty() && std::getline(in, line)) {
    std::istringstream w(line);
    std::string tok;
    w >> tok;
    if (tok == "$scope") {
      std::string kind, name;
      w >> kind >> name;
      scope.push_back(name);
    } else if (tok == "$upscope") {
      scope.pop_back();
    } else if (tok == "$var") {
      std::string type, width, vid, leaf;
      w >> type >> width >> vid >> leaf;
      std::string full;
      for (size_t i = 1; i < scope.size(); ++i) {  // scope[0] is SystemC's "SystemC"
        full += scope[i] + ".";
      }
      if (full + leaf == full_name) {
        id = vid;
      }
    }
  }
  std::vector<std::pair<uint64_t, std::string>> out;
  uint64_t now = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '#') {
      now = std::stoull(line.substr(1));
    } else if (line.size() > id.size() &&
               line.compare(line.size() - id.size(), id.size(), id) == 0 &&
               (line[0] == '0' || line[0] == '1') && line.size() == id.size() + 1) {
      out.emplace_back(now, line.substr(0, 1));
    }
  }
  return out;
}

}  // namespace

TEST_CASE("trace.gtkw shows the controller nvm and PE(0 0..3) with named states",
          "[cycle][trace]") {
  const std::string dir = (std::filesystem::temp_directory_path() / "safsim_gtkw_test").string();
  std::filesystem::remove_all(dir);
  const QuantModel qm = test::quantized(test::odd_shapes_model(5), 8);
  TraceConfig t;
  t.enabled = true;
  t.start_cycle = 5;
  t.end_cycle = 80;
  std::vector<std::string> files;
  {
    CycleEngine engine(qm, deploy_fault_free(qm), test::array_config(4, 4, false), t, dir);
    engine.run(test::random_images(qm.input_shape, 1, 2));
    files = engine.close_trace();
  }
  // The VCD, one translate file per named register, the save file last.
  REQUIRE(files.size() == 4);
  REQUIRE(files.back() == dir + "/trace.gtkw");
  const std::string gtkw = safsim::test::read_all(dir + "/trace.gtkw");
  const std::string vcd = safsim::test::read_all(dir + "/trace.vcd");
  REQUIRE(gtkw.find("[dumpfile] \"" + dir + "/trace.vcd\"") != std::string::npos);
  REQUIRE(gtkw.find("[timestart] 10000\n") != std::string::npos);  // cycle 5's negedge
  // Every signal of the view, in this order, each one present in the VCD.
  const std::vector<std::string> view{"controller.state[1:0]",      "controller.stall_cause[1:0]",
                                      "controller.load_fold[31:0]", "nvm.read_address[31:0]",
                                      "nvm.read_raw[7:0]",          "nvm.read_decoded[7:0]",
                                      "array.pe_0_0.weight[31:0]",  "array.pe_0_0.psum[63:0]",
                                      "array.pe_0_0.weight_valid",  "array.pe_0_3.input[31:0]"};
  size_t at = 0;
  for (const std::string& v : view) {
    INFO(v);
    const size_t p = gtkw.find("\nSystemC.accelerator." + v + "\n", at);
    REQUIRE(p != std::string::npos);
    at = p;
    const std::string leaf = v.substr(v.rfind('.') + 1, v.find('[') - v.rfind('.') - 1);
    REQUIRE(vcd.find(" " + leaf + " ") != std::string::npos);
  }
  REQUIRE(gtkw.find("pe_1_0") == std::string::npos);  // only row 0's first four PEs
  // Signed registers in signed decimal (GTKWave's flags 0x420), the state through filter 1.
  REQUIRE(gtkw.find("@420\nSystemC.accelerator.array.pe_0_0.psum[63:0]") != std::string::npos);
  REQUIRE(gtkw.find("^1 " + dir +
                    "/trace.state.filter\n@2024\nSystemC.accelerator.controller."
                    "state[1:0]") != std::string::npos);
  REQUIRE(safsim::test::read_all(dir + "/trace.state.filter") ==
          "0 idle\n1 array_layer\n2 ppu_layer\n");
  REQUIRE(safsim::test::read_all(dir + "/trace.stall_cause.filter") ==
          "0 compute\n1 nvm\n2 sram\n3 post_processing\n");
}

TEST_CASE("weight_valid falls when a bank's next fold starts loading and rises when it is in",
          "[cycle][trace]") {
  const std::string dir = (std::filesystem::temp_directory_path() / "safsim_wvalid_test").string();
  std::filesystem::remove_all(dir);
  const QuantModel qm = test::quantized(test::odd_shapes_model(5), 8);
  TraceConfig t;
  t.enabled = true;
  t.scopes = {"accelerator.array.pe_0_0", "accelerator.array.pe_3_2"};
  {
    CycleEngine engine(qm, deploy_fault_free(qm), test::array_config(4, 4), t, dir);
    engine.run(test::random_images(qm.input_shape, 1, 2));
  }
  const std::string vcd = safsim::test::read_all(dir + "/trace.vcd");
  for (const char* pe : {"accelerator.array.pe_0_0", "accelerator.array.pe_3_2"}) {
    INFO(pe);
    const auto ch = changes_of(vcd, std::string(pe) + ".weight_valid");
    REQUIRE(ch.size() > 4);
    int rises = 0, falls = 0;
    for (size_t i = 1; i < ch.size(); ++i) {
      rises += ch[i - 1].second == "0" && ch[i].second == "1" ? 1 : 0;
      falls += ch[i - 1].second == "1" && ch[i].second == "0" ? 1 : 0;
    }
    REQUIRE(falls > 1);
    REQUIRE(rises >= falls);
    // With 4 rows and serial loads, a bank is loaded in 4 cycles: a rise follows each fall by
    // 4 cycles (8000 ps) when the PE shows the bank being loaded.
    bool four_cycle_load = false;
    for (size_t i = 1; i < ch.size(); ++i) {
      if (ch[i - 1].second == "0" && ch[i].second == "1" && ch[i].first - ch[i - 1].first == 6000) {
        four_cycle_load = true;  // falls at the first load posedge, rises at the fourth
      }
    }
    REQUIRE(four_cycle_load);
  }
}

TEST_CASE("a scope glob that matches no traced signal is refused with the closest scope",
          "[trace]") {
  TraceConfig t;
  t.scopes = {"accelerator.controller", "accelerator.aray.pe_0_*"};
  Tracer tracer(t, "unused.vcd");
  for (const char* n : {"accelerator.clk", "accelerator.controller.state",
                        "accelerator.nvm.read_raw", "accelerator.array.pe_0_0.psum",
                        "accelerator.array.pe_0_1.psum", "accelerator.array.pe_1_0.psum"}) {
    tracer.wants(n);
  }
  REQUIRE_THROWS_AS(tracer.check_scopes(), ConfigError);
  REQUIRE_THROWS_WITH(tracer.check_scopes(),
                      Catch::Contains("'accelerator.aray.pe_0_*' matches no traced signal (did "
                                      "you mean 'accelerator.array.pe_0_*'?)") &&
                          Catch::Contains("accelerator.array, accelerator.array.pe_*_* (3)") &&
                          Catch::Contains("\n  accelerator.controller") &&
                          Catch::Contains("\n  accelerator.nvm"));
  t.scopes = {"accelerator.array.pe_1_*", "*.clk"};
  Tracer ok(t, "unused.vcd");
  ok.wants("accelerator.clk");
  ok.wants("accelerator.array.pe_1_0.psum");
  REQUIRE_NOTHROW(ok.check_scopes());
}

TEST_CASE("a trace above output.trace.max_mb is refused before it is written", "[cycle][trace]") {
  const std::string dir = (std::filesystem::temp_directory_path() / "safsim_maxmb_test").string();
  std::filesystem::remove_all(dir);
  const QuantModel qm = test::quantized(test::odd_shapes_model(5), 8);
  TraceConfig t;
  t.enabled = true;
  t.max_mb = 0.001;  // 1 kB: any whole-run trace of every signal is larger
  CycleEngine engine(qm, deploy_fault_free(qm), test::array_config(4, 4), t, dir);
  REQUIRE_THROWS_AS(engine.run(test::random_images(qm.input_shape, 1, 2)), ConfigError);
  REQUIRE_THROWS_WITH(engine.run(test::random_images(qm.input_shape, 1, 2)),
                      Catch::Contains("above output.trace.max_mb = 0.001") &&
                          Catch::Contains("--set output.trace.start_cycle=N") &&
                          Catch::Contains("--force"));
  REQUIRE(engine.trace_estimate().bytes > 1000);
  REQUIRE(engine.close_trace().empty());
  REQUIRE_FALSE(std::filesystem::exists(dir + "/trace.vcd"));
}

TEST_CASE("the trace estimate knows the run's length and is near the real file", "[cycle][trace]") {
  const std::string dir =
      (std::filesystem::temp_directory_path() / "safsim_estimate_test").string();
  std::filesystem::remove_all(dir);
  const QuantModel qm = test::quantized(test::lenet5_shapes(3), 8);
  TraceConfig t;
  t.enabled = true;
  t.scopes = {"accelerator.clk", "accelerator.controller", "accelerator.array.pe_*_0"};
  const AcceleratorConfig cfg = test::array_config(16, 16);
  uint64_t cycles = 0;
  TraceEstimate e;
  {
    CycleEngine engine(qm, deploy_fault_free(qm), cfg, t, dir);
    const CycleResult r = engine.run(test::random_images(qm.input_shape, 2, 4));
    cycles = r.stats.total.cycles;
    e = engine.trace_estimate();
  }
  // Ideal memories, serial loads: the schedule's formula and the post-processing tails are
  // what the engine does (docs/timing.md).
  REQUIRE(e.run_cycles == cycles);
  REQUIRE(e.window_cycles == e.run_cycles);
  REQUIRE(e.signals == 1 + 7 + 16 * 5);
  const double actual = double(std::filesystem::file_size(dir + "/trace.vcd"));
  INFO("estimated " << e.bytes << " bytes, wrote " << actual);
  // Random weights and images change more often than LeNet-5's (0.80 here; docs/traces.md).
  REQUIRE(e.bytes > 0.6 * actual);
  REQUIRE(e.bytes < 1.5 * actual);
}
