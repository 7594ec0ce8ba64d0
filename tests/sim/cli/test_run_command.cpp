// `safsim run` end to end, in process: configs/default.yaml writes its three result files.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/cli/run_command.h"
#include "tests/support/files.h"

TEST_CASE("safsim run configs/default.yaml writes summary layers and resolved config",
          "[cycle][cli]") {
  const std::string out = (std::filesystem::temp_directory_path() / "safsim_run_default").string();
  std::filesystem::remove_all(out);
  const std::string config = std::string(SAFSIM_SOURCE_DIR) + "/configs/default.yaml";
  CLI::App app;
  app.require_subcommand(1);
  safsim::register_run_command(app);
  std::vector<std::string> args = {out, "--out", config, "run"};  // CLI11 parses in reverse
  app.parse(args);
  const nlohmann::json s = nlohmann::json::parse(safsim::test::read_all(out + "/summary.json"));
  REQUIRE(s["engine"] == "cycle");
  REQUIRE(s["images"] == 10);
  REQUIRE(s["accuracy"].get<double>() >= 0.7);
  REQUIRE(s["cycles"].get<uint64_t>() > 0);
  REQUIRE(s["layers"].size() == 8);  // ReLUs are fused into the layers before them
  const std::string csv = safsim::test::read_all(out + "/layers.csv");
  REQUIRE(csv.rfind("layer,type,rows_used,cols_used,row_folds,col_folds,macs,cycles,"
                    "compute_cycles,stall_cycles,utilization,sram_reads,sram_writes,nvm_reads,"
                    "energy_pj\n",
                    0) == 0);
  REQUIRE(std::count(csv.begin(), csv.end(), '\n') == 9);
  REQUIRE(std::filesystem::exists(out + "/config.resolved.yaml"));
}
