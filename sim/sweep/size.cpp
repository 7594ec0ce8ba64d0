// Sweep size before any trial (size.h). No time is estimated: what a trial-image costs differs by
// orders of magnitude between models (lenet5 36,168 images/s, resnet20 497 on the functional
// engine, docs/performance.md) and engines, and the machine's speed is not known until trials
// run; the progress line gives the ETA then.
#include "sim/sweep/size.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "base/errors.h"
#include "sim/pipeline.h"
#include "workloads/dataset.h"
#include "workloads/onnx_import.h"

namespace safsim {

SweepSize sweep_size(const SweepPlan& plan) {
  SweepSize s;
  s.trials = plan.trials();
  std::map<std::string, Shape> input_shapes;   // by model
  std::map<std::string, int64_t> split_sizes;  // by what decides the test split's size
  const auto test_split = [&](const Config& c) {
    const WorkloadConfig& w = c.workload;
    if (w.dataset == "synthetic") {
      return int64_t(w.synthetic.images);
    }
    const std::string key = w.dataset + "\n" + w.model;
    const auto it = split_sizes.find(key);
    if (it != split_sizes.end()) {
      return it->second;
    }
    if (input_shapes.count(w.model) == 0) {
      input_shapes[w.model] = load_model(w.model).input_shape;
    }
    DatasetSource source = dataset_source(c, input_shapes[w.model]);
    source.max_images = 1;  // the header's count is all this needs
    return split_sizes[key] = load_dataset(source, DatasetSplit::kTest).split_images;
  };
  bool first = true;
  plan.for_each_point([&](const SweepPoint& p) {
    const WorkloadConfig& w = p.config.workload;
    // What the trial runs: the test split from first_image on, cut to workload.images (0: all).
    const int64_t rest = std::max<int64_t>(0, test_split(p.config) - w.first_image);
    const int64_t images = w.images > 0 ? std::min<int64_t>(w.images, rest) : rest;
    s.trial_images += images * plan.repeat;
    s.min_images = first ? images : std::min(s.min_images, images);
    s.max_images = first ? images : std::max(s.max_images, images);
    first = false;
  });
  return s;
}

std::string describe_size(const SweepSize& s) {
  const std::string images = s.min_images == s.max_images
                                 ? fmt::format("{}", s.max_images)
                                 : fmt::format("{} to {}", s.min_images, s.max_images);
  return fmt::format("{} trials of {} images, {} trial-images", s.trials, images, s.trial_images);
}

void check_sweep_size(const SweepPlan& plan) {
  const SweepSize s = sweep_size(plan);
  if (s.trial_images <= kConfirmTrialImages) {
    return;
  }
  throw UserError(fmt::format(
      "sweep {} has {}, more than the {} a sweep runs without confirmation (docs/sweeps.md); "
      "check its axes and repeat: (`safsim sweep {} --dry-run` lists the points), then pass "
      "--yes to start it",
      plan.name, describe_size(s), kConfirmTrialImages, plan.sweep_path));
}

}  // namespace safsim
