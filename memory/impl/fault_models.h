// Constructors of the concrete fault models, for the factory in memory/fault_model.cpp only.
#pragma once

#include <memory>

#include "memory/fault_model.h"

namespace safsim {

std::unique_ptr<FaultModel> make_stuck_at_model(const FaultModelSpec& spec);
std::unique_ptr<FaultModel> make_random_flip_model(const FaultModelSpec& spec);
std::unique_ptr<FaultModel> make_msb_flip_model(const FaultModelSpec& spec);
std::unique_ptr<FaultModel> make_targeted_flip_model(const FaultModelSpec& spec);

/// Throws UserError unless lo <= v <= hi ("<model>: <what> must be in [lo, hi], got v").
void check_range(const char* model, const char* what, double v, double lo, double hi);

}  // namespace safsim
