// Top-1 and accuracy over a batch of logits.
#include "hw_models/logits.h"

namespace safsim {

int Logits::top1(int i) const {
  int best = 0;
  for (int c = 1; c < classes; ++c) {
    const std::size_t a = std::size_t(i) * classes + c;
    const std::size_t b = std::size_t(i) * classes + best;
    if (is_float ? values[a] > values[b] : codes[a] > codes[b]) {
      best = c;
    }
  }
  return best;
}

double accuracy(const Logits& l, const std::vector<int32_t>& labels) {
  if (l.images == 0) {
    return 0.0;
  }
  int correct = 0;
  for (int i = 0; i < l.images; ++i) {
    correct += l.top1(i) == labels[i] ? 1 : 0;
  }
  return double(correct) / l.images;
}

}  // namespace safsim
