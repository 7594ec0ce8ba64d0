// Real model, real data: the zoo's lenet5 quantized to int8 on 1,000 Fashion-MNIST test images.
#include <catch2/catch.hpp>

#include "sim/config.h"
#include "sim/engines/functional_engine.h"
#include "sim/pipeline.h"

using namespace safsim;

namespace {

double accuracy_of(const std::string& overrides_format, int bits) {
  Config c = parse_config(
      "", "<test>",
      {"workload.model=lenet5", "workload.images=1000", "quant.weight_format=" + overrides_format,
       "quant.weight_bits=" + std::to_string(bits)});
  const Workload w = prepare_workload(c);
  REQUIRE(w.images.count == 1000);
  return accuracy(FunctionalEngine(w.qmodel, w.weights, 0).run(w.images), w.images.labels);
}

}  // namespace

TEST_CASE("lenet5 int8 keeps the fp32 accuracy on 1,000 test images", "[zoo]") {
  const double fp32 = accuracy_of("fp32", 8);
  const double int8 = accuracy_of("twos_complement", 8);
  const double int8_offset = accuracy_of("offset_binary", 8);
  INFO("fp32 " << fp32 << " int8 " << int8);
  REQUIRE(fp32 >= 0.88);
  REQUIRE(std::abs(int8 - fp32) <= 0.01);
  REQUIRE(int8_offset == int8);  // the storage format does not change the values
}
