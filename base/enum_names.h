// Name <-> value table of an enum-valued config key; the names are the allowed values. Every
// layer's config sections use it in their visit() (sim/config.h describes the visitor).
#pragma once

#include <utility>
#include <vector>

namespace safsim {

template <class E>
using EnumNames = std::vector<std::pair<const char*, E>>;

}  // namespace safsim
