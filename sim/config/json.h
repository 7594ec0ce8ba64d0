// Config -> JSON: every key with its value (enums by name), in declaration order, for JSON
// outputs that embed the resolved config (testset.json).
#pragma once

#include <nlohmann/json.hpp>

#include "sim/config.h"

namespace safsim {

///   nlohmann::ordered_json j = config_to_json(load_config("configs/default.yaml"));
///   j["workload"]["model"] == "lenet5"
nlohmann::ordered_json config_to_json(const Config& c);

}  // namespace safsim
