// predictions.csv and logits.npy (predictions.h).
#include "sim/predictions.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "workloads/npy.h"

namespace safsim {

void write_predictions(const Dataset& images, const Logits& logits, const Logits& fault_free,
                       WrittenFiles& out) {
  std::string csv = "image,label,top1,fault_free_top1\n";
  for (int i = 0; i < logits.images; ++i) {
    csv += fmt::format("{},{},{},{}\n", images.first_index + i,
                       images.has_labels() ? fmt::format("{}", images.labels[size_t(i)]) : "",
                       logits.top1(i), fault_free.top1(i));
  }
  out.write("predictions.csv", csv);
  std::vector<float> values(size_t(logits.images) * logits.classes);
  for (int i = 0; i < logits.images; ++i) {
    for (int k = 0; k < logits.classes; ++k) {
      values[size_t(i) * logits.classes + k] = static_cast<float>(logits.value(i, k));
    }
  }
  out.write("logits.npy", npy_bytes({logits.images, logits.classes}, values));
}

}  // namespace safsim
