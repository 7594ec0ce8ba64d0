// SelfTestController: test scheduling at image boundaries, result comparison at the posedge.
#include "hw_models/selftest_controller.h"

#include <stdexcept>

#include "base/trace.h"

namespace safsim {
namespace {

int64_t bytes_of_bits(int64_t bits) { return (bits + 7) / 8; }

}  // namespace

SelfTestBuffer self_test_buffer(const QuantModel& qm, int test_images) {
  const int in_bits = qm.is_float() ? 32 : qm.input_q.bits;
  const int out_bits = qm.is_float() ? 32 : qm.layers.back().out_q.bits;
  SelfTestBuffer b;
  b.image_bytes = test_images * bytes_of_bits(int64_t(qm.input_shape.size()) * in_bits);
  b.golden_bytes = test_images * bytes_of_bits(int64_t(qm.classes()) * out_bits);
  return b;
}

SelfTestController::SelfTestController(const sc_core::sc_module_name& name, const QuantModel& qm)
    : sc_core::sc_module(name), qm_(qm) {
  SC_METHOD(compare);
  sensitive << result_latched_;
  dont_initialize();
}

void SelfTestController::load(const TestSet& set, const Dataset& images,
                              const SelfTestControllerConfig& cfg) {
  if (images.count != static_cast<int>(set.images.size()) || images.shape != qm_.input_shape) {
    throw std::logic_error("SelfTestController: one input-shaped image per test image expected");
  }
  loaded_ = true;
  criterion_ = {cfg.min_mismatches, cfg.logit_threshold};
  unit_ = cfg.period_unit;
  period_ = cfg.period;
  next_due_cycle_ = cfg.period;
  set_ = set;
  pixels_ = images.pixels;
  image_bytes_ = qm_.input_shape.size();
  buffer_ = self_test_buffer(qm_, static_cast<int>(set.images.size()));
  judged_ = set_;
  judged_.images.clear();
  outputs_.classes = qm_.classes();
  outputs_.is_float = qm_.is_float();
  outputs_.scale = qm_.layers.back().out_q.scale;
}

uint64_t SelfTestController::test_cycles() const {
  uint64_t sum = 0;
  for (const SelfTestRecord& t : tests_) {
    sum += t.end_cycle - t.start_cycle;
  }
  return sum;
}

bool SelfTestController::test_due(uint64_t cycle) const {
  if (!loaded_) {
    return false;
  }
  return unit_ == PeriodUnit::kInferences ? inferences_since_test_ >= period_
                                          : cycle >= next_due_cycle_;
}

void SelfTestController::inference_done(uint64_t cycle) {
  (void)cycle;
  ++inferences_since_test_;
}

void SelfTestController::test_result(const std::vector<int32_t>& codes,
                                     const std::vector<float>& values, uint64_t cycle) {
  if (pending_) {
    throw std::logic_error("SelfTestController: a result arrived before the last was compared");
  }
  pending_ = true;
  pending_cycle_ = cycle;
  pending_codes_ = codes;
  pending_values_ = values;
  result_latched_.notify();  // immediate: compared in this evaluation phase
}

bool SelfTestController::next_test_image(uint64_t cycle, SourcedImage* image) {
  if (!testing_) {
    if (!test_due(cycle)) {
      return false;
    }
    // A test begins: the period restarts (inferences), or the next multiple of it is due.
    testing_ = true;
    next_image_ = 0;
    inferences_since_test_ = 0;
    while (next_due_cycle_ <= cycle) {
      next_due_cycle_ += period_;
    }
    SelfTestRecord r;
    r.start_cycle = cycle;
    tests_.push_back(r);
    judged_.images.clear();
    outputs_.images = 0;
    outputs_.codes.clear();
    outputs_.values.clear();
  }
  if (next_image_ == test_images()) {
    testing_ = false;  // every image fed; the last result is compared at this posedge
    tests_.back().end_cycle = cycle;
    update_trace(cycle);
    return false;
  }
  image->pixels = pixels_.data() + size_t(next_image_) * image_bytes_;
  image->dataset_index = set_.images[size_t(next_image_)].index;
  ++next_image_;
  ++images_run_;
  update_trace(cycle);
  return true;
}

// The comparator sits on the result bus: it judges a result in the step the controller writes
// it (the falling edge before posedge n, stamped n), so the verdict of a batch's last test image
// is in before the simulation pauses. judge_self_test runs over the images of this test
// compared so far; its counts only grow with more images, so the flag rises at the first image
// for which the whole-test verdict holds.
void SelfTestController::compare() {
  pending_ = false;
  const uint64_t n = pending_cycle_;
  const int i = outputs_.images;
  judged_.images.push_back(set_.images[size_t(i)]);
  outputs_.images = i + 1;
  outputs_.codes.insert(outputs_.codes.end(), pending_codes_.begin(), pending_codes_.end());
  outputs_.values.insert(outputs_.values.end(), pending_values_.begin(), pending_values_.end());
  SelfTestRecord& r = tests_.back();
  const bool before = r.verdict.fault_detected;
  r.verdict = judge_self_test(judged_, outputs_, criterion_);
  if (r.verdict.fault_detected && !before) {
    r.detected_cycle = n;
    r.detected_after_images = i + 1;
    if (!flag_) {
      flag_ = true;
      flag_cycle_ = n;
      fault_detected.write(true);
    }
  }
  r.complete = outputs_.images == test_images();
  if (r.complete) {
    r.end_cycle = n;
  }
  update_trace(n);
}

void SelfTestController::trace(Tracer& tracer) {
  const std::string me = name();
  tracer.add(shadow_.test_mode, me + ".test_mode");
  tracer.add(shadow_.test_image, me + ".test_image");
  tracer.add(shadow_.mismatches, me + ".mismatches");
  tracer.add(shadow_.fault_detected, me + ".fault_detected");
  tracer_ = &tracer;
}

void SelfTestController::update_trace(uint64_t cycle) {
  if (tracer_ == nullptr || !tracer_->in_window(cycle)) {
    return;
  }
  shadow_.test_mode = testing_;
  shadow_.test_image = testing_ ? next_image_ - 1 : -1;
  shadow_.mismatches = tests_.empty() ? 0 : tests_.back().verdict.mismatches;
  shadow_.fault_detected = flag_;
}

}  // namespace safsim
