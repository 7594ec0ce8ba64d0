// Failure rate vs bit error rate (002 Fig. 7): every activation bit flips with probability BER
// (faults.activations.bitflip mode random), many independent runs per BER.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "sim/analysis/network_trace.h"
#include "sim/config.h"
#include "workloads/dataset.h"

namespace safsim {

struct BerPoint {
  double rate = 0.0;
  std::vector<double> failure_rate;  // per run: failed / originally correct images
  double mean = 0.0, sd = 0.0;       // over runs (sample SD)
  double ci95 = 0.0;                 // half-width of the normal 95% CI of the mean
};

/// Runs `runs` trials (trial r uses ActivationFaultPlan(qm, flips, seed, r), the plan both
/// engines use) over the images; each image's flips are replayed on its fault-free trace.
/// `flips` must be mode random; its rate is replaced by each entry of `rates`. `images_done`,
/// when set, is told of every finished image (one call at a time), for a progress line.
///   auto points = ber_failure_rates(dm, images, c.faults.activations.bitflip, {1e-4}, 100, 1, 2);
std::vector<BerPoint> ber_failure_rates(const DecodedModel& m, const Dataset& images,
                                        const BitFlipConfig& flips,
                                        const std::vector<double>& rates, int runs, uint64_t seed,
                                        int threads,
                                        const std::function<void(int images)>& images_done = {});

}  // namespace safsim
