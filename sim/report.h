// Reports of a cycle-engine run: layers.csv (one row per layer) and the JSON pieces of
// summary.json. Files are written atomically (temp + rename) by base/output_files.h.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sim/stats.h"

namespace safsim {

/// layers.csv: header `layer,type,rows_used,...,energy_pj` then one row per layer.
///   write_file_atomic(dir + "/layers.csv", layers_csv(result.stats));
std::string layers_csv(const RunStats& s);

/// Every field of one layer's stats (LayerStats::visit order).
nlohmann::ordered_json layer_json(const LayerStats& l);

/// {"images", "array", "clock_mhz", "cycles_per_image", "latency_us_per_image",
///  "utilization", "stall_share", "totals": {...}, "blocks": {...}, "layers": [...]}
nlohmann::ordered_json run_stats_json(const RunStats& s);

}  // namespace safsim
