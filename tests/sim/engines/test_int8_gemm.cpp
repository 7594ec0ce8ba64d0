// The VNNI int8 kernel: exact against a plain int64 loop (mod 2^32, as vpdpbusd wraps), and the
// functional engine on it bit for bit equal to its fp32/fp64/int64 fallback and the reference,
// fault-free and with faulty (decoded) weights of any value. On a CPU without VNNI the kernel
// cases say so and check the fallback alone.
#include <catch2/catch.hpp>
#include <filesystem>
#include <random>

#include "memory/deployment.h"
#include "sim/engines/functional_engine.h"
#include "sim/engines/int8_gemm.h"
#include "sim/engines/reference.h"
#include "sim/quantization/quantize.h"
#include "tests/support/random_model.h"
#include "workloads/onnx_import.h"

using namespace safsim;

namespace {

// Restores the default mode when a test ends, whatever it did.
struct ModeGuard {
  ~ModeGuard() { set_int8_gemm_mode(Int8GemmMode::kAuto); }
};

void check_kernel(int rows, int k, int out_channels, int groups, int offset, unsigned seed,
                  bool extremes) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255), weight(-128, 127), pick(0, 3);
  std::vector<int64_t> w(size_t(k) * out_channels);
  for (int64_t& v : w) {
    v = extremes ? (pick(rng) < 2 ? -128 : 127) : weight(rng);
  }
  const Int8Weights packed = pack_int8_weights(w, k, out_channels, groups, offset);
  const int og = out_channels / groups;
  std::vector<int32_t> c(size_t(rows) * out_channels, 0x5a5a5a5a);
  std::vector<std::vector<uint8_t>> a(static_cast<size_t>(groups));
  for (int g = 0; g < groups; ++g) {
    a[size_t(g)].resize(size_t(rows) * packed.k4);
    for (int r = 0; r < rows; ++r) {
      for (int kk = 0; kk < packed.k4; ++kk) {
        // Past k the operand is 0 in the engine; any value must do, the weights there are 0.
        a[size_t(g)][size_t(r) * packed.k4 + kk] =
            static_cast<uint8_t>(extremes ? (pick(rng) < 2 ? 255 : 0) : byte(rng));
      }
    }
    int8_gemm(a[size_t(g)].data(), rows, packed, g, c.data() + size_t(g) * og, out_channels);
  }
  for (int g = 0; g < groups; ++g) {
    for (int r = 0; r < rows; ++r) {
      for (int o = 0; o < og; ++o) {
        int64_t sum = 0;
        for (int kk = 0; kk < k; ++kk) {
          const int code = a[size_t(g)][size_t(r) * packed.k4 + kk] - offset;
          sum += int64_t{code} * w[size_t(kk) * out_channels + size_t(g) * og + o];
        }
        const auto expect = static_cast<int32_t>(static_cast<uint32_t>(sum));
        INFO("row " << r << " column " << g * og + o << " k " << k << " offset " << offset);
        REQUIRE(c[size_t(r) * out_channels + size_t(g) * og + o] == expect);
      }
    }
  }
}

QuantModel zoo_quantized(const std::string& name, int wbits, WeightFormat f) {
  QuantConfig qc;
  qc.weight_bits = wbits;
  qc.weight_format = f;
  return quantize(load_model(name), qc,
                  load_dataset(DatasetSource{"fashion-mnist"}, DatasetSplit::kTrain).slice(0, 100));
}

// Logits of `qm` with `w` on the int8 kernel and on the fallback; both must agree, and the
// int8 run must have used the kernel on at least `min_int8` layers.
Logits both_paths_agree(const QuantModel& qm, const DeployedWeights& w, const Dataset& d,
                        int min_int8) {
  ModeGuard guard;
  set_int8_gemm_mode(Int8GemmMode::kOff);
  const FunctionalEngine fallback(qm, w, 2);
  REQUIRE(fallback.int8_layers() == 0);
  const Logits expect = fallback.run(d);
  set_int8_gemm_mode(Int8GemmMode::kAuto);
  const FunctionalEngine fast(qm, w, 2);
  if (!int8_gemm_enabled()) {
    WARN("no AVX-512 VNNI here (or SAFSIM_INT8_GEMM=off): only the fallback was run");
    return expect;
  }
  REQUIRE(fast.int8_layers() >= min_int8);
  const Logits got = fast.run(d);
  REQUIRE(got.codes == expect.codes);
  return got;
}

}  // namespace

TEST_CASE("int8 kernel equals an int64 loop on every tile shape and remainder", "[int8]") {
  if (!int8_gemm_enabled()) {
    WARN("no AVX-512 VNNI here (or SAFSIM_INT8_GEMM=off): the kernel is not run");
    return;
  }
  unsigned seed = 1;
  for (int cols : {1, 6, 16, 20, 33, 48, 50, 64, 84, 120, 130}) {
    for (int k : {1, 3, 4, 25, 150, 577}) {
      check_kernel(kInt8GemmRowBlock, k, cols, 1, 0, seed++, false);
      check_kernel(2 * kInt8GemmRowBlock, k, cols, 1, 128, seed++, false);
    }
  }
  check_kernel(kInt8GemmRowBlock, 9, 48, 3, 128, 99, false);  // grouped: 16 columns per group
  check_kernel(kInt8GemmRowBlock, 18, 40, 4, 0, 98, false);   // 10 columns per group
}

TEST_CASE("int8 kernel wraps like the accumulator instead of saturating", "[int8]") {
  if (!int8_gemm_enabled()) {
    WARN("no AVX-512 VNNI here (or SAFSIM_INT8_GEMM=off): the kernel is not run");
    return;
  }
  // 255 x -128 over 70,000 inputs is -2.28e9, beyond int32: the kernel must give it mod 2^32
  // (vpdpbusd) and the +128 offset's correction must cancel exactly.
  check_kernel(kInt8GemmRowBlock, 70000, 17, 1, 0, 7, true);
  check_kernel(kInt8GemmRowBlock, 70000, 17, 1, 128, 8, true);
}

TEST_CASE("int8 path equals the fallback and the reference on random layers", "[int8][engine]") {
  // Odd shapes, padding, stride 2, grouped, depthwise and dilated layers; signed inputs (folded
  // normalization) and unsigned ones; 4- and 8-bit weights in both integer formats.
  for (const Model& m : {test::odd_shapes_model(11), test::new_ops_model(12),
                         test::new_ops_model(13, false), test::conv_pool_model(14)}) {
    const Dataset d = test::random_images(m.input_shape, 70, 5);
    for (WeightFormat f : {WeightFormat::kTwosComplement, WeightFormat::kOffsetBinary}) {
      for (int bits : {4, 8}) {
        QuantConfig qc;
        qc.weight_bits = bits;
        qc.weight_format = f;
        const QuantModel qm = quantize(m, qc, test::random_images(m.input_shape, 50, 7));
        const DeployedWeights w = deploy_fault_free(qm);
        const Logits got = both_paths_agree(qm, w, d, 1);
        for (int i = 0; i < 3; ++i) {
          const std::vector<int32_t> row(got.codes.begin() + size_t(i) * got.classes,
                                         got.codes.begin() + size_t(i + 1) * got.classes);
          REQUIRE(row == reference_run(qm, w, d.image(i)).back());
        }
      }
    }
  }
}

TEST_CASE("int8 path equals the fallback on every zoo model with faulty weights", "[int8][zoo]") {
  const Dataset d = load_dataset(DatasetSource{"fashion-mnist"}, DatasetSplit::kTest).slice(0, 70);
  for (const char* name : {"lenet5", "lenet5_sigmoid", "lenet5_avgpool", "cnn_s002", "resnet20",
                           "mobilenet_v2_s", "squeezenet_s"}) {
    REQUIRE(std::filesystem::exists(zoo_dir() + "/" + std::string(name) + ".onnx"));
    for (int bits : {4, 8}) {
      INFO(name << " int" << bits);
      const QuantModel qm = zoo_quantized(name, bits, WeightFormat::kTwosComplement);
      FaultsConfig faults;
      faults.weights.stuck_at.rate = 0.05;  // decoded weights take any value of the format
      faults.weights.bitflip.mode = FaultKind::kRandomFlips;
      faults.weights.bitflip.rate = 0.01;
      MitigationConfig mitigation;
      mitigation.scheme = bits == 8 ? MitigationScheme::kC1 : MitigationScheme::kNone;
      const DeployedWeights w = deploy(qm, faults, mitigation, 3, /*trial=*/0, nullptr);
      both_paths_agree(qm, w, d, 1);
    }
  }
}
