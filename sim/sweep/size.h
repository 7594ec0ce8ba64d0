// How big a sweep is before it runs: trials and trial-images (images inferred over all trials).
// A sweep above kConfirmTrialImages starts only when the user confirms it (`--yes`), so a typo
// in `repeat:` or one axis too many does not occupy a machine for days.
#pragma once

#include <cstdint>
#include <string>

#include "sim/sweep/plan.h"

namespace safsim {

/// Trial-images above which a sweep needs --yes. 10^8 is four times the largest campaigns of
/// configs/repro (compensation_*: 2.4 x 10^7), ten times the 000_detection_* ones (10^7, 4 min
/// 49 s on 2 idle cores), and about 50 minutes of lenet5 trials on 2 cores at the best measured
/// 34,571 trial-images/s (docs/performance.md); bigger models make the same count take far
/// longer.
constexpr int64_t kConfirmTrialImages = 100000000;

struct SweepSize {
  int64_t trials = 0;
  int64_t trial_images = 0;  // sum over points of repeat x the point's images
  int64_t min_images = 0;    // images of one trial, over the points
  int64_t max_images = 0;
};

/// Counts the images every point's trials run: the test split from workload.first_image on, cut
/// to workload.images (0: all of it). Each test split is read once per model and dataset, as
/// the trials would read it; throws DatasetError / ModelError when one cannot be read.
///   SweepSize s = sweep_size(plan);  // s.trials == plan.trials()
SweepSize sweep_size(const SweepPlan& plan);

/// "1000000 trials of 1 to 1000 images, 500500000 trial-images"
std::string describe_size(const SweepSize& s);

/// Throws UserError (exit 2) when the sweep has more than kConfirmTrialImages trial-images,
/// naming its trials and trial-images and how to start it anyway (--yes).
void check_sweep_size(const SweepPlan& plan);

}  // namespace safsim
