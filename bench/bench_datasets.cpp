// Startup cost of each dataset reader: load_dataset() of a 10,000-image test split, as every
// safsim process pays it before the first image (docs/performance.md, "Dataset readers").
// The fmnist32 files come from workloads/train/make_data.py; without them those benchmarks
// report an error and the others run. Not a test: run it by hand.
//   /usr/bin/python3 workloads/train/make_data.py --out /tmp/fmnist32 --float
//   SAFSIM_BENCH_DATA=/tmp/fmnist32 build/bench/bench_datasets
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "workloads/dataset.h"

namespace {

using namespace safsim;

std::string bench_data(const std::string& name) {
  const char* dir = std::getenv("SAFSIM_BENCH_DATA");
  return (std::filesystem::path(dir != nullptr ? dir : "/tmp/fmnist32") / name).string();
}

void load(benchmark::State& state, const DatasetSource& source, DatasetSplit split) {
  if (source.name != "fashion-mnist" && source.name != "synthetic" &&
      !std::filesystem::exists(source.name)) {
    state.SkipWithError(("missing " + source.name + " (workloads/train/make_data.py)").c_str());
    return;
  }
  int64_t images = 0;
  for (auto _ : state) {
    const Dataset d = load_dataset(source, split);
    images += d.count;
    benchmark::DoNotOptimize(d.pixels.data());
  }
  state.counters["images_per_s"] = benchmark::Counter(double(images), benchmark::Counter::kIsRate);
}

void BM_FashionMnistIdxGzip(benchmark::State& state) {
  load(state, DatasetSource{"fashion-mnist"}, DatasetSplit::kTest);
}
BENCHMARK(BM_FashionMnistIdxGzip)->Unit(benchmark::kMillisecond);

void BM_NpzUint8Nhwc(benchmark::State& state) {
  DatasetSource s{bench_data("fmnist32.npz")};
  s.input_shape = {3, 32, 32};
  load(state, s, DatasetSplit::kTest);
}
BENCHMARK(BM_NpzUint8Nhwc)->Unit(benchmark::kMillisecond);

void BM_NpzFloat32Nchw(benchmark::State& state) {
  // Includes the calibrated range: one pass over the 50,000 float training images.
  DatasetSource s{bench_data("fmnist32_float.npz")};
  s.input_shape = {3, 32, 32};
  load(state, s, DatasetSplit::kTest);
}
BENCHMARK(BM_NpzFloat32Nchw)->Unit(benchmark::kMillisecond);

void BM_Cifar10Binary(benchmark::State& state) {
  load(state, DatasetSource{bench_data("fmnist32-cifar")}, DatasetSplit::kTest);
}
BENCHMARK(BM_Cifar10Binary)->Unit(benchmark::kMillisecond);

void BM_Synthetic3x32x32(benchmark::State& state) {
  DatasetSource s{"synthetic"};
  s.input_shape = {3, 32, 32};
  s.synthetic.images = 10000;
  s.synthetic.distribution =
      state.range(0) == 0 ? PixelDistribution::kUniform : PixelDistribution::kNormal;
  load(state, s, DatasetSplit::kTest);
  state.SetLabel(state.range(0) == 0 ? "uniform" : "normal");
}
BENCHMARK(BM_Synthetic3x32x32)->DenseRange(0, 1)->Unit(benchmark::kMillisecond);

}  // namespace
