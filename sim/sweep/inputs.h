// The files a sweep reads besides its own (model, dataset, defect maps, test sets) and a hash of
// their contents, kept in the journal header: resuming after one was replaced at the same path
// would put trials of two models (or datasets) into one result set, and the resolved sweep
// file, which names only the paths, cannot tell.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/sweep/plan.h"

namespace safsim {

struct SweepInput {
  std::string key;    // the config key that names the file: workload.model, workload.dataset...
  std::string path;   // the file read: a zoo name resolved to its .onnx, a dataset to its files
  uint64_t hash = 0;  // fnv1a64 of the bytes (base/file_hash.h)

  bool operator==(const SweepInput& o) const {
    return key == o.key && path == o.path && hash == o.hash;
  }
};

/// Every input file of the points of `plan`, each once, in order of first use: the model file
/// (model_file(), as load_model() resolves a zoo name), the dataset's four IDX files
/// (dataset_files()), faults.weights.stuck_at.map_file and selftest.testset when set. A file that
/// cannot be read is left out: loading the workload reports it better.
///   for (const SweepInput& in : sweep_inputs(plan)) fmt::print("{} {}\n", in.key, in.path);
std::vector<SweepInput> sweep_inputs(const SweepPlan& plan);

}  // namespace safsim
