// A QuantModel as bytes and back, exactly: every field, floats by their bit patterns, so a model
// read back runs bit for bit as the one written (the on-disk model cache, sim/model_cache.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "workloads/quant_model.h"

namespace safsim {

/// Bumped whenever the byte layout changes: the cache keys on it, so old entries are not read.
constexpr int kQuantModelFormatVersion = 1;

/// The bytes of `m` (native byte order; the cache key names the build that wrote them).
///   std::optional<QuantModel> back = parse_quant_model(serialize_quant_model(qm));
std::string serialize_quant_model(const QuantModel& m);

/// The model `bytes` hold; nullopt when they are not exactly one serialized model (short,
/// trailing bytes, an enum or length out of range): never a partly read model.
std::optional<QuantModel> parse_quant_model(std::string_view bytes);

}  // namespace safsim
