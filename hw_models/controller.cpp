// Controller: image/layer sequencing and the per-cycle fold schedule (docs/timing.md).
#include "hw_models/controller.h"

#include <algorithm>

#include "base/trace.h"
#include "hw_models/arithmetic.h"
#include "hw_models/dataflow/dataflow.h"

namespace safsim {

Controller::Controller(const sc_core::sc_module_name& name, const QuantModel& qm,
                       const AcceleratorConfig& cfg, std::vector<LayerPlan> plans,
                       PostProcessingUnit& ppu,
                       std::function<void(int, uint64_t, uint64_t)> on_layer_end)
    : sc_core::sc_module(name),
      qm_(qm),
      cfg_(cfg),
      plans_(std::move(plans)),
      ppu_(ppu),
      on_layer_end_(std::move(on_layer_end)) {
  size_t psum_entries = 0;
  for (const LayerPlan& p : plans_) {
    psum_entries = std::max(psum_entries, size_t(p.psum_entries));
  }
  for (int h = 0; h < 2; ++h) {
    qm.is_float() ? psum_float_[h].assign(psum_entries, 0.0f) : psum_[h].assign(psum_entries, 0);
  }
  psum_watch_.owner = this;
  layer_cycles_.assign(qm.layers.size(), LayerCycles{});
  store_.codes.resize(qm.layers.size());
  store_.values.resize(qm.layers.size());
  for (size_t i = 0; i < qm.layers.size(); ++i) {
    const size_t n = qm.layers[i].out_shape.size();
    qm.is_float() ? store_.values[i].assign(n, 0.0f) : store_.codes[i].assign(n, 0);
  }
  SC_METHOD(on_negedge);
  sensitive << clk.neg();
  dont_initialize();
}

void Controller::set_array(PeArray& array) { schedule_ = make_schedule(cfg_, *this, array); }

void Controller::start(const Dataset& images, Logits* out) {
  images_ = &images;
  logits_ = out;
  out->images = images.count;
  out->classes = qm_.classes();
  out->is_float = qm_.is_float();
  out->scale = qm_.layers.back().out_q.scale;
  out->codes.assign(out->is_float ? 0 : size_t(images.count) * out->classes, 0);
  out->values.assign(out->is_float ? size_t(images.count) * out->classes : 0, 0.0f);
  image_ = 0;
  layer_ = -1;
  state_ = images.count > 0 ? ControllerState::kPpuLayer : ControllerState::kIdle;
  ppu_layer_done_ = 0;  // a zero-length pseudo layer: the first step moves to layer 0
  testing_ = false;
  if (images.count > 0) {
    begin_image(cycle_, images.image(0), images.first_index);
  }
}

// The input image is written into the ifmap buffer (the words of image - 1 are overwritten).
void Controller::begin_image(uint64_t cycle, const uint8_t* px, int64_t dataset_index) {
  ppu_.begin_image(dataset_index);
  nvm->begin_image(dataset_index, testing_);
  if (watching(FlipMemory::kIfmap)) {
    ifmap_range_access(-1, FlipOutcome::kMasked, cycle);
  }
  const size_t n = qm_.input_shape.size();
  if (qm_.is_float()) {
    store_.input_float.resize(n);
    for (size_t i = 0; i < n; ++i) {
      store_.input_float[i] = static_cast<float>(px[i]) / 255.0f;
    }
  } else {
    store_.input.resize(n);
    for (size_t i = 0; i < n; ++i) {
      store_.input[i] = quantize_pixel(px[i], qm_.input_q);
    }
  }
}

void Controller::on_negedge() {
  const uint64_t n = cycle_++;  // the posedge this step prepares
  if (flips_ != nullptr) {
    flips_->land_due(n);  // before every access of cycle n
  }
  while (true) {
    switch (state_) {
      case ControllerState::kIdle:
        return;
      case ControllerState::kPpuLayer:
        if (n < ppu_layer_done_) {
          count(Cause::kCompute);
          update_trace(n, Cause::kCompute);
          return;
        }
        break;
      case ControllerState::kArrayLayer:
        if (!schedule_->done(n)) {
          step_array(n);
          return;
        }
        break;
    }
    if (layer_ >= 0) {
      end_layer(n);
    }
    if (!next_layer(n)) {
      state_ = ControllerState::kIdle;
      update_trace(n, Cause::kCompute);
      sc_core::sc_pause();
      return;
    }
  }
}

bool Controller::next_layer(uint64_t n) {
  if (++layer_ == static_cast<int>(qm_.layers.size())) {
    // Image done: the last layer's output is the logits.
    if (watching(FlipMemory::kIfmap)) {
      ifmap_range_access(flip_map_->storage(layer_ - 1), FlipOutcome::kEffective, n);
    }
    if (testing_) {
      self_test->test_result(store_.codes.back(), store_.values.back(), n);
    } else {
      const size_t k = logits_->classes;
      for (size_t c = 0; c < k; ++c) {
        if (qm_.is_float()) {
          logits_->values[size_t(image_) * k + c] = store_.values.back()[c];
        } else {
          logits_->codes[size_t(image_) * k + c] = store_.codes.back()[c];
        }
      }
      ++image_;
      if (self_test.size() > 0) {
        self_test->inference_done(n);
      }
    }
    if (!next_image(n)) {
      return false;
    }
    layer_ = 0;
  }
  layer_begin_ = n;
  current_ = LayerCycles{};
  const LayerPlan& p = plans_[layer_];
  const QLayer& q = qm_.layers[layer_];
  if (p.on_array) {
    state_ = ControllerState::kArrayLayer;
    plan_ = &p;
    schedule_->begin_layer(p);
    return true;
  }
  state_ = ControllerState::kPpuLayer;
  if (watching(FlipMemory::kIfmap)) {
    ifmap_ppu_layer_access(q, n);
  }
  const uint64_t cost = ppu_.run_layer(layer_, store_);
  ppu_layer_done_ = ppu_.submit(cost, n);
  if (q.kind != QOpKind::kFlatten) {
    for (const int in : q.inputs) {
      const Shape& s = in < 0 ? qm_.input_shape : qm_.layers[size_t(in)].out_shape;
      ifmap->count_reads(uint64_t(s.size()) * activation_bytes(qm_, in));
    }
    ifmap->count_writes(p.out_bytes);
  }
  return true;
}

// Test images go first when the SelfTestController has a test due: they run between workload
// images without a gap, with the same schedule (timing is data-independent).
bool Controller::next_image(uint64_t n) {
  SourcedImage test;
  testing_ = self_test.size() > 0 && self_test->next_test_image(n, &test);
  if (testing_) {
    begin_image(n, test.pixels, test.dataset_index);
    return true;
  }
  if (image_ == images_->count) {
    return false;
  }
  begin_image(n, images_->image(image_), images_->first_index + image_);
  return true;
}

void Controller::step_array(uint64_t n) {
  const Cause c = schedule_->step(n);
  count(c);
  update_trace(n, c);
}

// A finished tile: the PPU reads its psums and writes the layer's output words.
uint64_t Controller::tile_done(const TilePlan& t, int half, uint64_t n) {
  tile_access(t, half, n);  // before the PPU reads the psums and writes the outputs
  const uint64_t cost =
      ppu_.finish_tile(*plan_, t, qm_.is_float() ? nullptr : psum_[half].data(),
                       qm_.is_float() ? psum_float_[half].data() : nullptr, store_);
  return ppu_.submit(cost, n);
}

void Controller::ifmap_read(const int32_t* idx, int count, int stride, uint64_t n) {
  if (watching(FlipMemory::kIfmap)) {
    const int in_layer = qm_.layers[size_t(plan_->layer)].inputs[0];
    ifmap_token_read(flip_map_->storage(in_layer), idx, count, stride, n);
  }
}

void Controller::end_layer(uint64_t n) {
  current_.cycles = n - layer_begin_;
  LayerCycles& t = layer_cycles_[layer_];
  t.cycles += current_.cycles;
  t.compute += current_.compute;
  t.stall_nvm += current_.stall_nvm;
  t.stall_sram += current_.stall_sram;
  t.stall_pp += current_.stall_pp;
  if (on_layer_end_) {
    on_layer_end_(layer_, layer_begin_, n);
  }
}

void Controller::count(Cause c) {
  switch (c) {
    case Cause::kCompute:
      ++current_.compute;
      break;
    case Cause::kNvm:
      ++current_.stall_nvm;
      break;
    case Cause::kSram:
      ++current_.stall_sram;
      break;
    case Cause::kPp:
      ++current_.stall_pp;
      break;
  }
}

void Controller::trace(Tracer& tracer) {
  const std::string me = name();
  // Value names in ControllerState and Cause order: GTKWave shows them instead of numbers.
  tracer.add(shadow_.state, me + ".state", 2, TraceDisplay::kUnsigned,
             {"idle", "array_layer", "ppu_layer"});
  tracer.add(shadow_.cause, me + ".stall_cause", 2, TraceDisplay::kUnsigned,
             {"compute", "nvm", "sram", "post_processing"});
  tracer.add(shadow_.image, me + ".image");
  tracer.add(shadow_.layer, me + ".layer");
  tracer.add(shadow_.load_fold, me + ".load_fold");
  tracer.add(shadow_.stream_fold, me + ".stream_fold");
  tracer.add(shadow_.token, me + ".token");
  tracer_ = &tracer;
}

void Controller::update_trace(uint64_t n, Cause c) {
  if (tracer_ == nullptr || !tracer_->in_window(n)) {
    return;
  }
  shadow_.state = static_cast<int>(state_);
  shadow_.cause = static_cast<int>(c);
  shadow_.image = image_;
  shadow_.layer = layer_;
  // Between array layers the schedule still shows where the last one ended.
  const ScheduleProgress p = schedule_->progress();
  shadow_.load_fold = p.load_fold;
  shadow_.stream_fold = p.stream_fold;
  shadow_.token = p.step;
}

}  // namespace safsim
