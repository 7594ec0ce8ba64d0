// IDX image and label files -> Dataset (Fashion-MNIST's format, plain or gzip: gzread reads
// either whatever the name). Input: a control byte (dataset_fuzz.h; bit 6 also offers the files
// as the training split), the image file's length as 4 little-endian bytes, the image file, then
// the label file.
#include <algorithm>
#include <string>

#include "tests/fuzz/libfuzzer/dataset_fuzz.h"
#include "tests/fuzz/libfuzzer/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 5) {
    return 0;
  }
  const uint8_t control = data[0];
  const size_t announced =
      size_t{data[1]} | size_t{data[2]} << 8 | size_t{data[3]} << 16 | size_t{data[4]} << 24;
  const uint8_t* images = data + 5;
  const size_t images_size = std::min(announced, size - 5);
  const uint8_t* labels = images + images_size;
  const size_t labels_size = size - 5 - images_size;
  const std::string dir = safsim::fuzz::fresh_scratch_dir("idx");
  for (const char* split : {"t10k", "train"}) {
    if (std::string(split) == "train" && (control & 0x40) == 0) {
      continue;
    }
    safsim::fuzz::write_scratch(std::string("idx/") + split + "-images-idx3-ubyte", images,
                                images_size);
    safsim::fuzz::write_scratch(std::string("idx/") + split + "-labels-idx1-ubyte", labels,
                                labels_size);
  }
  safsim::fuzz::read_dataset_like_cli(dir, control);
  return 0;
}
