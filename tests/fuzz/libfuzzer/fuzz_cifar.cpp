// CIFAR-10/100 binary batches -> Dataset (records of a label byte, or coarse and fine label
// bytes, then 3x32x32 pixels). Input: a control byte (dataset_fuzz.h; bit 6: CIFAR-100's
// test.bin instead of CIFAR-10's test_batch.bin, bit 7: the file also as the training batch),
// then the batch file.
#include <string>

#include "tests/fuzz/libfuzzer/dataset_fuzz.h"
#include "tests/fuzz/libfuzzer/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) {
    return 0;
  }
  const uint8_t control = data[0];
  const bool cifar100 = (control & 0x40) != 0;
  const std::string dir = safsim::fuzz::fresh_scratch_dir("cifar");
  safsim::fuzz::write_scratch(cifar100 ? "cifar/test.bin" : "cifar/test_batch.bin", data + 1,
                              size - 1);
  if ((control & 0x80) != 0) {
    safsim::fuzz::write_scratch(cifar100 ? "cifar/train.bin" : "cifar/data_batch_1.bin", data + 1,
                                size - 1);
  }
  safsim::fuzz::read_dataset_like_cli(dir, control);
  return 0;
}
