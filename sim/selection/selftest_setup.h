// Loading the SelfTestController's buffer from `selftest.testset`, checked against the model the
// config deploys (docs/lifetime.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "hw_models/selftest_controller.h"
#include "hw_models/test_set.h"
#include "memory/deployed_weights.h"
#include "sim/config.h"
#include "workloads/dataset.h"
#include "workloads/quant_model.h"

namespace safsim {

/// The test set and its images' pixels (image i of `images` is set.images[i]).
struct SelfTestProgram {
  TestSet set;
  Dataset images;
};

/// The deployment of `qm` with `c.mitigation` on a memory without any fault: what the golden
/// results of a test set are computed on, and what its model_hash must match.
DeployedWeights fault_free_deployment(const QuantModel& qm, const Config& c);

/// The images of `set` gathered from `split` (the dataset's test split, absolute indices).
/// Throws UserError naming `source` for an index outside the split.
Dataset test_set_images(const TestSet& set, const Dataset& split, const std::string& source);

/// Reads c.selftest.testset and checks it against this config: the model hash of the
/// fault-free deployment (a mismatch means the set was selected for another model,
/// quantization or scheme: a UserError), the output format and the number of classes.
///   SelfTestProgram p = load_self_test_program(c, w.qmodel);
SelfTestProgram load_self_test_program(const Config& c, const QuantModel& qm);

/// The criterion of c.selftest (k mismatches, logit threshold).
inline SelfTestCriterion self_test_criterion(const SelfTestConfig& s) {
  return {s.min_mismatches, s.logit_threshold};
}

/// A test set of the given test images (indices into `pool`, labels unused) with golden results
/// from the functional engine on `weights`, which must be the fault-free deployment (its hash
/// is recorded). Strategy "indices": no selection score (0).
///   TestSet t = indexed_test_set(qm, fault_free_deployment(qm, c), test_split, {0, 1, 2});
TestSet indexed_test_set(const QuantModel& qm, const DeployedWeights& weights, const Dataset& pool,
                         const std::vector<int>& indices);

/// summary.json "self_test" of `safsim run`: the settings, buffer bytes, cycles spent testing
/// and their share of `total_cycles`, the flag and every test's start/end cycle and verdict.
nlohmann::ordered_json self_test_report(const SelfTestController& stc, const Config& c,
                                        uint64_t total_cycles);

}  // namespace safsim
