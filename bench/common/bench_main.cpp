// Entry point shared by every benchmark program: Google Benchmark with SystemC's banner off.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <systemc>

// SystemC's library expects an sc_main; the benchmarks drive sc_start themselves from main().
int sc_main(int, char**) { return 0; }

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
