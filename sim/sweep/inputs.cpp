// Input files of a sweep (sweep/inputs.h). The name-to-file rules repeat those of the loaders in
// workloads/ (load_model, load_dataset), which do not expose the files they open; a unit test
// holds the two in step for the zoo and for a dataset directory.
#include "sim/sweep/inputs.h"

#include <cstdlib>
#include <filesystem>
#include <set>

#include "base/file_hash.h"
#include "workloads/onnx_import.h"

namespace safsim {
namespace {

constexpr const char* kFashionMnist = "fashion-mnist";

std::string dataset_dir(const std::string& name_or_dir) {
  if (name_or_dir != kFashionMnist) {
    return name_or_dir;
  }
  const char* root = std::getenv("SAFSIM_DATA_DIR");
  if (root != nullptr && *root != '\0') {
    return (std::filesystem::path(root) / kFashionMnist).string();
  }
  return std::string("/usr/share/datasets/") + kFashionMnist;
}

}  // namespace

std::string model_file(const std::string& name_or_path) {
  const std::string ext = ".onnx";
  const bool is_path =
      name_or_path.find('/') != std::string::npos ||
      (name_or_path.size() >= ext.size() &&
       name_or_path.compare(name_or_path.size() - ext.size(), ext.size(), ext) == 0);
  return is_path ? name_or_path
                 : (std::filesystem::path(zoo_dir()) / (name_or_path + ext)).string();
}

std::vector<std::string> dataset_files(const std::string& name_or_dir) {
  namespace fs = std::filesystem;
  const fs::path dir = dataset_dir(name_or_dir);
  std::vector<std::string> files;
  for (const char* base : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                           "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
    std::error_code ec;
    const fs::path gz = dir / (std::string(base) + ".gz");
    const fs::path plain = dir / base;
    if (fs::exists(gz, ec)) {
      files.push_back(gz.string());
    } else if (fs::exists(plain, ec)) {
      files.push_back(plain.string());
    }
  }
  return files;
}

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
  for (const SweepPoint& p : plan.points) {
    const Config& c = p.config;
    if (named("workload.model", c.workload.model)) {
      add("workload.model", model_file(c.workload.model));
    }
    if (named("workload.dataset", c.workload.dataset)) {
      for (const std::string& f : dataset_files(c.workload.dataset)) {
        add("workload.dataset", f);
      }
    }
    add("faults.weights.stuck_at.map_file", c.faults.weights.stuck_at.map_file);
    add("selftest.testset", c.selftest.testset);
  }
  return inputs;
}

}  // namespace safsim
