// The on-disk cache of calibrated quantized models: a run whose model, calibration data and
// quantization keys were seen before reads the QuantModel instead of calibrating again (docs/
// performance.md, "Startup"). An entry is trusted only when its full key and its check sum
// match; anything else is a miss, and the entry is rebuilt.
#pragma once

#include <optional>
#include <string>

#include "sim/calibration_info.h"
#include "sim/config.h"
#include "workloads/quant_model.h"

namespace safsim {

/// The cache directory: $SAFSIM_CACHE_DIR, where empty or `off` turns the cache off; when it is
/// unset, $XDG_CACHE_HOME/safsim, else $HOME/.cache/safsim (off without either).
///   std::string dir = model_cache_dir();   // "" when off
std::string model_cache_dir();

/// Everything the quantized model of `c` depends on, as text: the format version, the build,
/// the model file (path and a hash of its bytes), the dataset's files (path, size, modification
/// time, inode), every quant key and the workload keys that shape the model or its calibration
/// images (all but images and first_image).
std::string model_cache_key(const Config& c);

struct CachedModel {
  QuantModel qmodel;
  CalibrationInfo calibration;
};

/// The entry of `key` in `dir`; nullopt when there is none or it is truncated, corrupt or of
/// another key.
std::optional<CachedModel> read_cached_model(const std::string& dir, const std::string& key);

/// Stores `m` under `key`: a unique temporary file beside the entry, then rename(), so
/// concurrent processes (MPI ranks) never see half an entry. A failure to write is reported on
/// stderr and is not the run's failure.
void write_cached_model(const std::string& dir, const std::string& key, const CachedModel& m);

}  // namespace safsim
