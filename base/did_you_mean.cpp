// Edit-distance suggestions shared by config, model and dataset error messages.
#include "base/did_you_mean.h"

#include <algorithm>

namespace safsim {

int edit_distance(const std::string& a, const std::string& b) {
  // One row of the classic DP table: row[j] = distance(a[0..i), b[0..j)).
  std::vector<int> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) {
    row[j] = static_cast<int>(j);
  }
  for (size_t i = 1; i <= a.size(); ++i) {
    int diag = row[0];  // distance(a[0..i-1), b[0..j-1))
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  // Short words get a floor of 2 so that "lenet" still finds "lenet5" and "resnt" "resnet".
  const int max_distance = std::max(2, static_cast<int>(word.size()) / 3);
  std::string best;
  int best_distance = max_distance + 1;
  for (const std::string& c : candidates) {
    const int d = edit_distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace safsim
