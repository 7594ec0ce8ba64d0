// March C- on the SystemC NvmWeightBank (issue 4, `mitigation.defect_map: march`): the test
// writes and reads every cell of the bank through its cell port, finds exactly the true stuck-at
// map, and the deployment made with it runs bit-identically to the oracle deployment.
#include <catch2/catch.hpp>
#include <filesystem>

#include "memory/deployment.h"
#include "sim/engines/cycle_engine.h"
#include "sim/engines/functional_engine.h"
#include "tests/support/cycle_test_util.h"
#include "workloads/onnx_import.h"

using namespace safsim;

TEST_CASE("March C- on the NVM weight bank finds the oracle map and deploys like the oracle",
          "[cycle][faults]") {
  REQUIRE(std::filesystem::exists(zoo_dir() + "/lenet5.onnx"));
  QuantConfig qc;
  qc.weight_bits = 8;
  const QuantModel qm =
      quantize(load_model("lenet5"), qc,
               load_dataset(DatasetSource{"fashion-mnist"}, DatasetSplit::kTrain).slice(0, 200));
  const Dataset test =
      load_dataset(DatasetSource{"fashion-mnist"}, DatasetSplit::kTest).slice(0, 8);
  FaultsConfig faults;
  faults.weights.stuck_at.rate = 0.02;
  faults.weights.stuck_at.pattern = StuckAtPattern::kWordLine;
  MitigationConfig oracle;
  oracle.scheme = MitigationScheme::kC1;
  MitigationConfig march = oracle;
  march.defect_map = DefectMapSource::kMarch;
  const uint64_t seed = 17;
  AcceleratorConfig cfg = test::array_config(16, 16, /*ideal=*/false);
  cfg.nvm.read_latency_cycles = 3;
  cfg.nvm.write_latency_cycles = 20;

  DeploymentStats so;
  const DeployedWeights by_oracle = deploy(qm, faults, oracle, seed, 0, &so);
  const DefectMap truth = deployment_defect_map(qm, faults, oracle, seed, 0);
  REQUIRE(truth.defective_cells() > 100);

  // The bank is built with the scheme's layout, tested, then programmed.
  const DeployedWeights layout = deploy(qm, FaultsConfig(), oracle, seed, 0, nullptr);
  CycleEngine engine(qm, layout, cfg, TraceConfig(), "");
  MarchResult found;
  NvmTarget target;
  target.march = [&](const DefectMap& t) {
    found = engine.march_test(t);
    return found;
  };
  DeploymentStats sm;
  const DeployedWeights by_march = deploy(qm, faults, march, seed, 0, &sm, target);
  CHECK(found.discovered.same_defects(truth));
  const int64_t n = truth.words();
  CHECK(found.reads == 5 * n);
  CHECK(found.writes == 5 * n);
  CHECK(found.cycles == uint64_t(5 * n * 3 + 5 * n * 20));
  CHECK(sm.march_operations == 10 * n);
  CHECK(sm.known_defective_cells == so.known_defective_cells);
  CHECK(by_march.stored == by_oracle.stored);

  engine.program_weights(by_march);
  const CycleResult r = engine.run(test);
  const Logits golden = FunctionalEngine(qm, by_oracle, 1).run(test);
  CHECK(r.logits.codes == golden.codes);
  // The March accesses happened before the run: the run's own counters do not include them.
  int port_counters = 0;
  for (const auto& [name, value] : r.stats.block_counters) {
    if (name.find("cell_port") != std::string::npos) {
      CHECK(value == 0);
      ++port_counters;
    }
  }
  CHECK(port_counters == 2);
}
