// Simulation speed of the cycle engine: simulated PE-cycles per second, one thread, tracing
// off, resnet20 on a 32x32 array in each dataflow (goal >= 1e9 each). Not a test: run it by
// hand (docs/performance.md), one dataflow per process (SystemC elaborates once):
//   for d in ws os is; do build/bench/bench_cycle_engine --benchmark_filter=/$d; done
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <systemc>

#include "sim/engines/cycle_engine.h"
#include "sim/quantization/quantize.h"
#include "tests/support/shape_models.h"
#include "workloads/onnx_import.h"

namespace {

using namespace safsim;

// The zoo's resnet20 when it is there; else the same layer shapes with random weights (the
// schedule, and so the speed, depends only on the shapes).
QuantModel resnet20() {
  QuantConfig qc;
  const bool zoo = std::filesystem::exists(zoo_dir() + "/resnet20.onnx");
  const Model m = zoo ? load_model("resnet20") : test::resnet20_shapes(1);
  return quantize(m, qc, test::random_images(m.input_shape, 20, 1));
}

template <Dataflow D>
void BM_CycleEngineResnet20Array32x32(benchmark::State& state) {
  static const QuantModel qm = resnet20();
  AcceleratorConfig a;
  a.array.rows = a.array.cols = 32;
  a.dataflow = D;
  a.ifmap_sram.capacity_kib = a.ofmap_sram.capacity_kib = 256;
  a.nvm.capacity_kib = 4096;
  // One engine per process (SystemC elaborates once); every iteration runs one more image.
  static Dataflow built = D;
  if (built != D) {
    state.SkipWithError("one dataflow per process: --benchmark_filter=/ws, /os or /is");
    return;
  }
  static CycleEngine engine(qm, deploy_fault_free(qm), a, TraceConfig{}, "");
  const Dataset image = test::random_images(qm.input_shape, 1, 3);
  uint64_t pe_cycles = 0;
  for (auto _ : state) {
    const CycleResult r = engine.run(image);
    pe_cycles += r.stats.total.cycles * 32 * 32;
    state.counters["cycles_per_image"] = double(r.stats.total.cycles);
  }
  state.counters["pe_cycles_per_s"] =
      benchmark::Counter(double(pe_cycles), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CycleEngineResnet20Array32x32<Dataflow::kWs>)
    ->Name("BM_CycleEngineResnet20Array32x32/ws")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_CycleEngineResnet20Array32x32<Dataflow::kOs>)
    ->Name("BM_CycleEngineResnet20Array32x32/os")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_CycleEngineResnet20Array32x32<Dataflow::kIs>)
    ->Name("BM_CycleEngineResnet20Array32x32/is")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
