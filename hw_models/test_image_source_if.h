// The port between the accelerator's controller and the SelfTestController: at every image
// boundary (the falling edge before posedge `cycle`) the controller reports what finished and
// asks whether a test image goes next, so test images run back to back with the workload.
#pragma once

#include <cstdint>
#include <systemc>
#include <vector>

namespace safsim {

/// One image the controller writes into the ifmap buffer: its pixels (the source's buffer) and
/// its dataset index (keys its transient activation flips, as for any image).
struct SourcedImage {
  const uint8_t* pixels = nullptr;
  int64_t dataset_index = 0;
};

/// Implemented by SelfTestController; the controller holds an optional sc_port to it.
///   ctl: source->inference_done(n);  SourcedImage im;  if (source->next_test_image(n, &im)) ...
class TestImageSourceIf : public virtual sc_core::sc_interface {
 public:
  /// A workload image (an inference) finished; its logits were written at `cycle`.
  virtual void inference_done(uint64_t cycle) = 0;
  /// The test image begun last finished; its output codes (integer formats) or values (float
  /// formats) were written at `cycle`.
  virtual void test_result(const std::vector<int32_t>& codes, const std::vector<float>& values,
                           uint64_t cycle) = 0;
  /// True (and `*image` filled) when a test image runs next, starting at `cycle`.
  virtual bool next_test_image(uint64_t cycle, SourcedImage* image) = 0;
};

}  // namespace safsim
