// The fault-free baseline of `safsim eval` and `safsim run`: an accuracy under faults means
// little without the accuracy of the same model, on the same images, with nothing injected.
#pragma once

#include <string>

#include "hw_models/logits.h"
#include "memory/memory_config.h"
#include "sim/engines/functional_engine.h"
#include "sim/pipeline.h"

namespace safsim {

/// True when `f` injects anything: stuck cells (a rate or a map file), weight or activation
/// bit flips, read errors, scheduled flips.
bool injects_faults(const FaultsConfig& f);

/// The logits of w.qmodel on w.images with no fault and no encoder (the weights as quantized),
/// on the functional engine: the baseline of a sweep's fault_free_accuracy too. The cycle
/// engine computes the same logits bit for bit, so it serves as the baseline of `run` as well.
/// `images_done` follows its progress (FunctionalEngine::run).
Logits fault_free_logits(const Workload& w, int threads,
                         const FunctionalEngine::ImagesDone& images_done = {});

/// The outcome of `logits` (this run's, on w.images): with `faulty`, against a functional pass
/// without faults; without, the run is its own baseline, measured by `engine`.
///   const Outcome o = measure_outcome(w, logits, injects_faults(c.faults), c.threads, "cycle");
Outcome measure_outcome(const Workload& w, const Logits& logits, bool faulty, int threads,
                        const char* engine, const FunctionalEngine::ImagesDone& images_done = {});

/// Share of images whose top-1 is the same in both, and the mean |difference| of the logits'
/// real values (same images, same classes).
double top1_agreement(const Logits& a, const Logits& b);
double mean_abs_logit_change(const Logits& a, const Logits& b);

/// "fault-free 91.47%, drop 6.37 points": accuracies are fractions, the drop is in
/// percentage points (positive: the faults cost accuracy).
std::string baseline_text(double accuracy, double fault_free);

/// "top-1 agreement 93.25%, mean |logit change| 0.412" (with the fault-free run).
std::string agreement_text(const Outcome& o);

}  // namespace safsim
