// The SelfTestController (000 §III): a buffer with the selected test images and their golden
// results; every `selftest.period` inferences (or cycles) it feeds the test images through the
// accelerator between workload images, compares each result as it comes back with the single
// criterion of judge_self_test, and raises `fault_detected` with the cycle stamp.
#pragma once

#include <cstdint>
#include <systemc>
#include <vector>

#include "hw_models/selftest_config.h"
#include "hw_models/test_image_source_if.h"
#include "hw_models/test_set.h"
#include "workloads/dataset.h"
#include "workloads/quant_model.h"

namespace safsim {

class Tracer;

/// One self-test: the cycles it occupied the accelerator ([start, end), its images back to
/// back) and its verdict (judge_self_test over all its images).
struct SelfTestRecord {
  uint64_t start_cycle = 0;
  uint64_t end_cycle = 0;  // the cycle the last test image's result was compared
  SelfTestVerdict verdict;
  bool complete = false;          // every image compared (false: the batch ended first)
  uint64_t detected_cycle = 0;    // valid when verdict.fault_detected
  int detected_after_images = 0;  // test images compared when the criterion first held
};

/// What the buffer holds, in bytes: every test image at the input precision (the input
/// quantizer's bits; 32 for float models) and its golden logits at the output code width.
struct SelfTestBuffer {
  int64_t image_bytes = 0;
  int64_t golden_bytes = 0;
  int64_t bytes() const { return image_bytes + golden_bytes; }
};
SelfTestBuffer self_test_buffer(const QuantModel& qm, int test_images);

/// Part of every Accelerator (the controller's `self_test` port is bound to it,
/// `fault_detected` to a signal of the accelerator); idle until Accelerator::add_self_test
/// loads it, before the first run.
///   SelfTestController stc("self_test", qm);  stc.load(set, test_images, cfg.selftest);
///   ... acc.run(images);  if (stc.fault_detected_cycle()) ...
class SelfTestController : public sc_core::sc_module, public TestImageSourceIf {
 public:
  SC_HAS_PROCESS(SelfTestController);
  sc_core::sc_out<bool> fault_detected{"fault_detected"};

  /// An empty controller: it never starts a test until load() fills its buffer.
  SelfTestController(const sc_core::sc_module_name& name, const QuantModel& qm);
  /// Fills the buffer: `images` holds the pixels of set.images[i] as its image i (copied).
  void load(const TestSet& set, const Dataset& images, const SelfTestControllerConfig& cfg);
  bool loaded() const { return loaded_; }

  void inference_done(uint64_t cycle) override;
  void test_result(const std::vector<int32_t>& codes, const std::vector<float>& values,
                   uint64_t cycle) override;
  bool next_test_image(uint64_t cycle, SourcedImage* image) override;

  const std::vector<SelfTestRecord>& tests() const { return tests_; }
  bool flag() const { return flag_; }
  uint64_t fault_detected_cycle() const { return flag_cycle_; }  // valid when flag()
  uint64_t test_images_run() const { return images_run_; }
  uint64_t test_cycles() const;  // sum of end - start over the tests
  const SelfTestBuffer& buffer() const { return buffer_; }
  int test_images() const { return static_cast<int>(set_.images.size()); }
  void trace(Tracer& tracer);
  using sc_core::sc_object::trace;  // SystemC's own overload stays visible (-Woverloaded-virtual)

 private:
  void compare();
  bool test_due(uint64_t cycle) const;
  void update_trace(uint64_t cycle);

  const QuantModel& qm_;
  bool loaded_ = false;
  SelfTestCriterion criterion_;
  PeriodUnit unit_ = PeriodUnit::kInferences;
  uint64_t period_ = 0;
  TestSet set_;                  // the buffer: golden results ...
  std::vector<uint8_t> pixels_;  // ... and the test images, at set order
  size_t image_bytes_ = 0;       // pixels per image
  SelfTestBuffer buffer_;

  // Registers.
  bool testing_ = false, flag_ = false, pending_ = false;
  int next_image_ = 0;                  // next test image to feed
  uint64_t inferences_since_test_ = 0;  // period_unit: inferences
  uint64_t next_due_cycle_ = 0;         // period_unit: cycles
  uint64_t flag_cycle_ = 0, pending_cycle_ = 0, images_run_ = 0;
  std::vector<int32_t> pending_codes_;  // the result latched at the falling edge
  std::vector<float> pending_values_;
  TestSet judged_;  // the images of the running test compared so far, with ...
  Logits outputs_;  // ... their results: judge_self_test sees exactly these
  std::vector<SelfTestRecord> tests_;
  sc_core::sc_event result_latched_;

  Tracer* tracer_ = nullptr;
  struct Shadow {
    bool test_mode = false, fault_detected = false;
    int test_image = -1, mismatches = 0;
  } shadow_;
};

}  // namespace safsim
