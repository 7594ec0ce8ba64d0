// Input files of a sweep (sweep/inputs.h): the loaders of workloads/ say which files a model or
// dataset name stands for; this file hashes them.
#include "sim/sweep/inputs.h"

#include <set>

#include "base/file_hash.h"
#include "workloads/dataset.h"
#include "workloads/onnx_import.h"

namespace safsim {

std::vector<SweepInput> sweep_inputs(const SweepPlan& plan) {
  std::vector<SweepInput> inputs;
  std::set<std::string> seen_files;
  const auto add = [&](const char* key, const std::string& path) {
    if (path.empty() || !seen_files.insert(path).second) {
      return;
    }
    if (const std::optional<uint64_t> h = hash_file(path)) {
      inputs.push_back({key, path, *h});
    }
  };
  // Names seen already: a sweep of many points names few models, so each is resolved once.
  std::set<std::pair<std::string, std::string>> seen_names;
  const auto named = [&](const char* key, const std::string& name) {
    return !name.empty() && seen_names.emplace(key, name).second;
  };
  plan.for_each_point([&](const SweepPoint& p) {
    const Config& c = p.config;
    if (named("workload.model", c.workload.model)) {
      add("workload.model", model_file(c.workload.model));
    }
    if (named("workload.dataset", c.workload.dataset)) {
      // The files a dataset reads do not depend on the model (only synthetic images do).
      for (const std::string& f : dataset_files(DatasetSource{c.workload.dataset})) {
        add("workload.dataset", f);
      }
    }
    add("faults.weights.stuck_at.map_file", c.faults.weights.stuck_at.map_file);
    add("selftest.testset", c.selftest.testset);
  });
  return inputs;
}

}  // namespace safsim
