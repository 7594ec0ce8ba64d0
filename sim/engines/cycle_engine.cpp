// Cycle engine: elaboration of the Accelerator, batch runs, statistics and energy.
#include "sim/engines/cycle_engine.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "base/errors.h"
#include "base/trace.h"
#include "hw_models/accelerator.h"
#include "hw_models/flip_address_map.h"
#include "memory/nvm_tech.h"

namespace safsim {
namespace {

std::string layer_type(const QLayer& q) {
  if (q.kind == QOpKind::kArray) {
    if (q.groups > 1) {
      return q.group_in() == 1 ? "depthwise_conv" : "grouped_conv";
    }
    return q.is_linear ? "linear" : "conv";
  }
  return to_string(q.kind);
}

}  // namespace

struct CycleEngine::Impl {
  Impl(const QuantModel& q, const AcceleratorConfig& c)
      : qm(q), cfg(c), tech(nvm_tech(c.nvm.tech)) {}

  QuantModel qm;  // copies: the caller's model and weights may be temporaries
  AcceleratorConfig cfg;
  NvmTech tech;
  std::unique_ptr<Tracer> tracer;  // declared before the accelerator: closed after it
  double trace_max_mb = 0;
  TraceEstimate trace_estimate;
  std::unique_ptr<FlipAddressMap> flip_map;
  std::unique_ptr<ScheduledFlipInjector> flips;
  std::unique_ptr<Accelerator> accel;
  std::vector<LayerCycles> cycles_before;
  std::vector<LayerMemoryEvents> memory_before;
  std::vector<std::pair<std::string, uint64_t>> blocks_before;

  std::vector<std::pair<std::string, uint64_t>> block_counters() const;

  LayerStats layer_stats(size_t i, int images) const;
  void arm_trace(int images);
};

void CycleEngine::Impl::arm_trace(int images) {
  if (tracer->start_cycle() > tracer->end_cycle()) {
    throw ConfigError(fmt::format("output.trace: start_cycle {} is after end_cycle {}",
                                  tracer->start_cycle(), tracer->end_cycle()));
  }
  tracer->check_scopes();
  const std::vector<LayerActivity> layers = image_activity(qm, accel->controller().plans(), cfg);
  uint64_t per_image = 0;
  for (const LayerActivity& l : layers) {
    per_image += l.cycles;
  }
  const auto period_ps = static_cast<uint64_t>(std::llround(1e6 / cfg.clock_mhz));
  trace_estimate = estimate_trace(tracer->signals(), tracer->start_cycle(), tracer->end_cycle(),
                                  layers, images, accel->controller().cycle(), period_ps);
  const TraceEstimate& e = trace_estimate;
  if (trace_max_mb > 0 && e.bytes > trace_max_mb * 1e6) {
    const double per_cycle = e.window_cycles > 0 ? e.bytes / double(e.window_cycles) : e.bytes;
    const auto fit = static_cast<uint64_t>(trace_max_mb * 1e6 / per_cycle);
    throw ConfigError(fmt::format(
        "output.trace: the VCD would be about {:.0f} MB ({} signals, {:.1f} value changes per "
        "cycle, {} cycles in the window; the run takes about {} cycles, {} per image), above "
        "output.trace.max_mb = {:g}. Narrow it: a window of at most about {} cycles "
        "(--set output.trace.start_cycle=N --set output.trace.end_cycle=M), fewer scopes "
        "(--set 'output.trace.scopes=[accelerator.controller, \"accelerator.array.pe_0_*\"]'), "
        "fewer images; or trace it all the same with --force (or a larger output.trace.max_mb)",
        e.bytes / 1e6, e.signals, e.changes_per_cycle, e.window_cycles, e.run_cycles, per_image,
        trace_max_mb, fit));
  }
  tracer->arm();
}

CycleEngine::CycleEngine(const QuantModel& qm, const DeployedWeights& weights,
                         const AcceleratorConfig& cfg, const TraceConfig& trace,
                         const std::string& out_dir)
    : impl_(std::make_unique<Impl>(deployed_model(qm, weights), cfg)) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  Accelerator::check_fits(impl_->qm, weights, cfg);
  impl_->flip_map = std::make_unique<FlipAddressMap>(impl_->qm, weights, cfg);
  impl_->accel = std::make_unique<Accelerator>("accelerator", impl_->qm, weights, cfg);
  if (trace.enabled) {
    std::filesystem::create_directories(out_dir.empty() ? "." : out_dir);
    const std::string path = (std::filesystem::path(out_dir) / trace.file).string();
    impl_->tracer = std::make_unique<Tracer>(trace, path);
    impl_->trace_max_mb = trace.max_mb;
    impl_->accel->trace(*impl_->tracer);
  }
}

CycleEngine::~CycleEngine() {
  // The trace file must be closed before the modules whose shadows it samples go away.
  impl_->tracer.reset();
}

uint64_t CycleEngine::cycle() const { return impl_->accel->controller().cycle(); }

std::string CycleEngine::trace_path() const {
  return impl_->tracer ? impl_->tracer->path() : std::string();
}

const TraceEstimate& CycleEngine::trace_estimate() const { return impl_->trace_estimate; }

std::vector<std::string> CycleEngine::close_trace() {
  if (!impl_->tracer) {
    return {};
  }
  impl_->tracer->close();
  return impl_->tracer->written_files();
}

void CycleEngine::set_activation_faults(const ActivationFaultPlan* plan) {
  impl_->accel->set_activation_faults(plan);
}

void CycleEngine::set_scheduled_flips(const std::vector<ScheduledFlip>& flips) {
  impl_->flip_map->check(flips);
  auto injector = std::make_unique<ScheduledFlipInjector>(flips);
  impl_->accel->set_scheduled_flips(injector.get(), impl_->flip_map.get());
  impl_->flips = std::move(injector);
}

void CycleEngine::set_read_errors(const ReadErrorConfig& c, uint64_t seed) {
  impl_->accel->nvm().set_read_errors(ReadErrors(c, seed));
}

std::vector<FlipRecord> CycleEngine::scheduled_flips() const {
  return impl_->flips ? impl_->flips->records() : std::vector<FlipRecord>{};
}

std::string CycleEngine::describe(const ScheduledFlip& f) const {
  return impl_->flip_map->describe(f);
}

MarchResult CycleEngine::march_test(const DefectMap& truth) {
  NvmWeightBank& bank = impl_->accel->nvm();
  bank.install_defects(truth);
  return bank.run_march_test();
}

void CycleEngine::program_weights(const DeployedWeights& weights) {
  impl_->accel->nvm().program(weights);
}

void CycleEngine::enable_self_test(const TestSet& set, const Dataset& test_images,
                                   const SelfTestConfig& cfg) {
  if (impl_->accel->self_test() != nullptr || impl_->accel->controller().cycle() > 0) {
    // Its period counts from cycle 0.
    throw std::logic_error("CycleEngine::enable_self_test: once, and before the first run()");
  }
  impl_->accel->add_self_test(set, test_images, cfg);
}

const SelfTestController* CycleEngine::self_test() const { return impl_->accel->self_test(); }

CycleResult CycleEngine::run(const Dataset& images) {
  const SelfTestController* stc = impl_->accel->self_test();
  const uint64_t tested_before = stc != nullptr ? stc->test_images_run() : 0;
  impl_->cycles_before = impl_->accel->controller().layer_cycles();
  impl_->memory_before = impl_->accel->layer_memory();
  impl_->blocks_before = impl_->block_counters();
  if (impl_->tracer && !impl_->tracer->armed()) {
    impl_->arm_trace(images.count);
  }
  CycleResult r;
  impl_->accel->run(images, &r.logits);
  if (impl_->flips) {
    impl_->flips->end_run(impl_->accel->controller().cycle() - 1);  // the run's last cycle
  }
  RunStats& s = r.stats;
  // Every inference the accelerator ran: the workload's and the self-test's images.
  s.images = images.count + int(stc != nullptr ? stc->test_images_run() - tested_before : 0);
  s.rows = impl_->cfg.array.rows;
  s.cols = impl_->cfg.array.cols;
  s.clock_mhz = impl_->cfg.clock_mhz;
  for (size_t i = 0; i < impl_->qm.layers.size(); ++i) {
    s.layers.push_back(impl_->layer_stats(i, s.images));
  }
  sum_totals(s);
  s.block_counters = impl_->block_counters();
  for (size_t i = 0; i < s.block_counters.size(); ++i) {
    s.block_counters[i].second -= impl_->blocks_before[i].second;
  }
  return r;
}

std::vector<std::pair<std::string, uint64_t>> CycleEngine::Impl::block_counters() const {
  std::vector<std::pair<std::string, uint64_t>> out;
  const auto collect = [&out](const sc_core::sc_object& block, auto stats) {
    stats.visit([&](const char* name, uint64_t v) {
      out.emplace_back(std::string(block.name()) + "." + name, v);
    });
  };
  collect(accel->array(), accel->array().stats());
  collect(accel->nvm(), accel->nvm().stats());
  collect(accel->ifmap_sram(), accel->ifmap_sram().stats());
  collect(accel->ofmap_sram(), accel->ofmap_sram().stats());
  collect(accel->post_processing(), accel->post_processing().stats());
  ScheduledFlipStats f = flips ? flips->stats() : ScheduledFlipStats{};
  f.visit([&](const char* name, uint64_t v) {
    out.emplace_back(std::string(accel->name()) + ".scheduled_flips." + name, v);
  });
  return out;
}

LayerStats CycleEngine::Impl::layer_stats(size_t i, int images) const {
  const QLayer& q = qm.layers[i];
  const LayerPlan& p = accel->controller().plans()[i];
  const LayerCycles& c = accel->controller().layer_cycles()[i];
  const LayerCycles& c0 = cycles_before[i];
  const LayerMemoryEvents& m = accel->layer_memory()[i];
  const LayerMemoryEvents& m0 = memory_before[i];
  LayerStats l;
  l.layer = q.name;
  l.type = layer_type(q);
  l.rows_used = p.rows_used;
  l.cols_used = p.cols_used;
  l.row_folds = p.row_folds;
  l.col_folds = p.col_folds;
  l.token_tiles = p.token_tiles;
  l.macs = uint64_t(q.macs_per_image()) * images;
  l.cycles = c.cycles - c0.cycles;
  l.compute_cycles = c.compute - c0.compute;
  l.stall_nvm_cycles = c.stall_nvm - c0.stall_nvm;
  l.stall_sram_cycles = c.stall_sram - c0.stall_sram;
  l.stall_pp_cycles = c.stall_pp - c0.stall_pp;
  l.stall_cycles = l.stall_nvm_cycles + l.stall_sram_cycles + l.stall_pp_cycles;
  l.utilization = utilization(l.macs, l.cycles, cfg.array.rows, cfg.array.cols);
  l.sram_reads = m.sram_reads - m0.sram_reads;
  l.sram_writes = m.sram_writes - m0.sram_writes;
  l.sram_conflict_cycles = m.sram_conflict_cycles - m0.sram_conflict_cycles;
  l.nvm_reads = m.nvm_reads - m0.nvm_reads;
  l.nvm_bits_read = m.nvm_bits - m0.nvm_bits;
  // Energy = event counts x table (memory/nvm_tech.h), computed after the run.
  const OnChipEnergy e;
  l.energy_nvm_pj = double(l.nvm_bits_read) * tech.read_pj_per_bit;
  const double sram_scale = (cfg.ifmap_sram.word_bits + cfg.ofmap_sram.word_bits) / 2.0 / 64.0;
  l.energy_sram_pj = double(l.sram_reads + l.sram_writes) * e.sram_pj_per_64bit_access * sram_scale;
  l.energy_mac_pj = double(l.macs) * mac_energy_pj(e, qm.is_float(), qm.weight_format.bits);
  l.energy_pj = l.energy_nvm_pj + l.energy_sram_pj + l.energy_mac_pj;
  const std::vector<uint64_t>& starts = accel->first_image_layer_start();
  l.first_image_start_cycle = i < starts.size() ? starts[i] : 0;
  return l;
}

}  // namespace safsim
