// Per-image outputs on request (output.predictions): the rows users analyse themselves.
#pragma once

#include "hw_models/logits.h"
#include "sim/written_files.h"
#include "workloads/dataset.h"

namespace safsim {

/// Writes predictions.csv (image, label, top1, fault_free_top1; label empty without labels;
/// image is the index in the test split) and logits.npy (float32 images x classes, real
/// values: code x output scale for integer formats) into `out`.
void write_predictions(const Dataset& images, const Logits& logits, const Logits& fault_free,
                       WrittenFiles& out);

}  // namespace safsim
