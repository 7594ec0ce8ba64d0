// Spelling suggestions for error messages: "unknown model 'lenet'; did you mean 'lenet5'?".
#pragma once

#include <string>
#include <vector>

namespace safsim {

/// Levenshtein distance (insertions, deletions and substitutions each cost 1).
int edit_distance(const std::string& a, const std::string& b);

/// The candidate closest to `word` if it is within edit distance max(2, word.size() / 3), else "".
/// Ties go to the earlier candidate.
///   did_you_mean("lenet", {"lenet5", "resnet20"}) == "lenet5"
///   did_you_mean("vgg16", {"lenet5", "resnet20"}) == ""
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace safsim
