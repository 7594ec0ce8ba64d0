// The fault-free baseline of `safsim eval` and `safsim run`: an accuracy under faults means
// little without the accuracy of the same model, on the same images, with nothing injected.
#pragma once

#include <string>

#include "memory/memory_config.h"
#include "sim/pipeline.h"

namespace safsim {

/// True when `f` injects anything: stuck cells (a rate or a map file), weight or activation
/// bit flips, scheduled flips.
bool injects_faults(const FaultsConfig& f);

/// Accuracy of w.qmodel on w.images with no fault and no encoder (the weights as quantized),
/// on the functional engine: the same figure as a sweep's fault_free_accuracy. The cycle engine
/// computes the same logits bit for bit, so it serves as the baseline of `run` too.
///   const double base = fault_free_accuracy(w, c.threads);
double fault_free_accuracy(const Workload& w, int threads);

/// "fault-free 91.47%, drop 6.37 points": accuracies are fractions, the drop is in
/// percentage points (positive: the faults cost accuracy).
std::string baseline_text(double accuracy, double fault_free);

}  // namespace safsim
