// .npz archives -> Dataset (a zip, stored or deflated, of .npy arrays x_test, y_test, x_train,
// y_train; uint8 or float images, NCHW, NHWC or NHW). Input: a control byte (dataset_fuzz.h),
// then the archive.
#include <string>

#include "tests/fuzz/libfuzzer/dataset_fuzz.h"
#include "tests/fuzz/libfuzzer/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) {
    return 0;
  }
  const std::string path = safsim::fuzz::write_scratch("data.npz", data + 1, size - 1);
  safsim::fuzz::read_dataset_like_cli(path, data[0]);
  return 0;
}
