// Accelerator top: clock, block instances, port binding, batch runs.
#include "hw_models/accelerator.h"

#include <algorithm>

#include "base/trace.h"
#include "hw_models/dataflow/dataflow.h"

namespace safsim {

/// Traces the clock as a shadow that only toggles inside the cycle window, and tells the tracer
/// every edge's cycle: it creates the VCD at the window's first edge and closes it after the
/// window's last cycle.
struct Accelerator::TraceClock : sc_core::sc_module {
  SC_HAS_PROCESS(TraceClock);
  sc_core::sc_in<bool> clk{"clk"};
  Tracer& tracer;
  bool shadow = false;
  uint64_t posedges = 0;

  TraceClock(const sc_core::sc_module_name& n, Tracer& t) : sc_core::sc_module(n), tracer(t) {
    SC_METHOD(on_edge);
    sensitive << clk;
    dont_initialize();
  }
  void on_edge() {
    const bool high = clk.read();
    const uint64_t cycle = high ? posedges++ : posedges;  // negedge belongs to the next posedge
    tracer.at_edge(cycle);
    if (tracer.in_window(cycle)) {
      shadow = high;
    }
  }
};

Accelerator::Accelerator(const sc_core::sc_module_name& name, const QuantModel& qm,
                         const DeployedWeights& weights, const AcceleratorConfig& cfg)
    : sc_core::sc_module(name),
      // posedge_first = false: the controller's negedge comes first, at time 0.
      clock_("clock", sc_core::sc_time(1e6 / cfg.clock_mhz, sc_core::SC_PS), 0.5,
             sc_core::SC_ZERO_TIME, false) {
  const bool ideal = cfg.ideal_memory;
  array_ = make_pe_array(qm, cfg);
  nvm_ = std::make_unique<NvmWeightBank>("nvm", qm, weights, cfg.nvm, ideal, cfg.array.rows,
                                         cfg.array.cols);
  ifmap_ = std::make_unique<SramBuffer>("ifmap_sram", cfg.ifmap_sram, ideal);
  ofmap_ = std::make_unique<SramBuffer>("ofmap_sram", cfg.ofmap_sram, ideal);
  ppu_ = std::make_unique<PostProcessingUnit>("post_processing", qm, cfg.post_processing_lanes,
                                              cfg.post_processing_latency_cycles);
  controller_ = std::make_unique<Controller>(
      "controller", qm, cfg, plan_model(qm, cfg), *ppu_,
      [this](int layer, uint64_t begin, uint64_t end) { on_layer_end(layer, begin, end); });
  array_->clk(clock_);
  nvm_->clk(clock_);
  controller_->clk(clock_);
  controller_->set_array(*array_);
  controller_->nvm(*nvm_);
  controller_->ifmap(*ifmap_);
  controller_->ofmap(*ofmap_);
  array_->set_psum_watcher(controller_->psum_watcher());
  // Idle until add_self_test() loads its buffer: it then never starts a test.
  self_test_ = std::make_unique<SelfTestController>("self_test", qm);
  self_test_->fault_detected(fault_detected_);
  controller_->self_test(*self_test_);
  layer_memory_.assign(qm.layers.size(), LayerMemoryEvents{});
}

Accelerator::~Accelerator() = default;

void Accelerator::check_fits(const QuantModel& qm, const DeployedWeights& weights,
                             const AcceleratorConfig& cfg) {
  plan_model(qm, cfg);
  NvmWeightBank::check_capacity(qm, weights, cfg.nvm);
}

void Accelerator::run(const Dataset& images, Logits* out) {
  controller_->start(images, out);
  if (!controller_->finished()) {
    sc_core::sc_start();  // returns at the controller's sc_pause()
  }
}

void Accelerator::set_scheduled_flips(ScheduledFlipInjector* flips, const FlipAddressMap* map) {
  if (flips != nullptr) {
    flips->set_target(FlipMemory::kNvm, [this](int64_t a, int bit) { nvm_->flip_bit(a, bit); });
  }
  nvm_->set_scheduled_flips(flips);
  controller_->set_scheduled_flips(flips, map);
}

void Accelerator::add_self_test(const TestSet& set, const Dataset& test_images,
                                const SelfTestControllerConfig& cfg) {
  self_test_->load(set, test_images, cfg);
  if (tracer_ != nullptr) {
    self_test_->trace(*tracer_);
  }
}

void Accelerator::on_layer_end(int layer, uint64_t begin, uint64_t end) {
  (void)end;
  LayerMemoryEvents now;
  now.nvm_reads = nvm_->stats().reads;
  now.nvm_bits = nvm_->stats().bits_read;
  now.sram_reads = ifmap_->stats().reads + ofmap_->stats().reads;
  now.sram_writes = ifmap_->stats().writes + ofmap_->stats().writes;
  now.sram_conflict_cycles = ifmap_->stats().conflict_cycles + ofmap_->stats().conflict_cycles;
  LayerMemoryEvents& l = layer_memory_[layer];
  l.nvm_reads += now.nvm_reads - last_.nvm_reads;
  l.nvm_bits += now.nvm_bits - last_.nvm_bits;
  l.sram_reads += now.sram_reads - last_.sram_reads;
  l.sram_writes += now.sram_writes - last_.sram_writes;
  l.sram_conflict_cycles += now.sram_conflict_cycles - last_.sram_conflict_cycles;
  last_ = now;
  if (layers_ended_++ < static_cast<int>(layer_memory_.size())) {
    first_start_.push_back(begin);
  }
}

void Accelerator::trace(Tracer& tracer) {
  if (!trace_clock_) {
    trace_clock_ = std::make_unique<TraceClock>("trace_clock", tracer);
    trace_clock_->clk(clock_);
  }
  const std::string me = name();
  tracer.add(trace_clock_->shadow, me + ".clk");
  tracer.set_clock_period(clock_.period());
  // The GTKWave view: controller progress, the NVM's reads, then the first PEs of row 0 (where
  // every token enters), each block as a labelled group.
  std::vector<std::string> view{me + ".clk", me + ".controller."};
  for (const char* s :
       {"state", "stall_cause", "image", "layer", "load_fold", "stream_fold", "token"}) {
    view.push_back(me + ".controller." + s);
  }
  view.push_back(me + ".nvm.");
  for (const char* s : {"read_address", "read_raw", "read_decoded", "reads_this_cycle"}) {
    view.push_back(me + ".nvm." + s);
  }
  for (int c = 0; c < std::min(4, array_->cols()); ++c) {
    const std::string pe = me + ".array.pe_0_" + std::to_string(c);
    view.push_back(pe + ".");
    // The stationary bank's bit is weight_valid (ws) or input_valid (is); os has none.
    for (const char* s : {"weight", "input", "psum", "valid", "weight_valid", "input_valid"}) {
      view.push_back(pe + "." + s);
    }
  }
  tracer.set_view(std::move(view));
  controller_->trace(tracer);
  array_->trace(tracer);
  nvm_->trace(tracer);
  ifmap_->trace(tracer);
  ofmap_->trace(tracer);
  if (self_test_->loaded()) {
    self_test_->trace(tracer);
  }
  tracer_ = &tracer;
}

}  // namespace safsim
