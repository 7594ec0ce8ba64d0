// The config reference (docs/config_reference.md), generated from the same visit() declarations
// that drive parsing, so the documented keys, defaults and ranges cannot drift from the code.
#pragma once

#include <string>

namespace safsim {

/// Markdown: an intro, then one table per section (full dotted key, type, default, allowed
/// values, description), in declaration order, nested sections after their parent.
///   std::cout << config_reference_markdown();  // safsim config-reference > docs/...
std::string config_reference_markdown();

}  // namespace safsim
