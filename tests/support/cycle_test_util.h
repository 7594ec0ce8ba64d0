// Helpers of the SystemC tests: small accelerator configs and quantized hand-built models.
#pragma once

#include <vector>

#include "hw_models/logits.h"
#include "memory/deployed_weights.h"
#include "sim/config.h"
#include "sim/engines/reference.h"
#include "sim/quantization/quantize.h"
#include "tests/support/random_model.h"

namespace safsim::test {

/// An accelerator with an R x C array; ideal memory unless told otherwise; SRAM big enough.
inline AcceleratorConfig array_config(int rows, int cols, bool ideal = true,
                                      WeightLoad load = WeightLoad::kSerial) {
  AcceleratorConfig a;
  a.array.rows = rows;
  a.array.cols = cols;
  a.ideal_memory = ideal;
  a.weight_load = load;
  a.ifmap_sram.capacity_kib = 1024;
  a.ofmap_sram.capacity_kib = 1024;
  a.nvm.capacity_kib = 65536;
  return a;
}

inline QuantModel quantized(const Model& m, int wbits,
                            WeightFormat f = WeightFormat::kTwosComplement, int abits = 8) {
  QuantConfig qc;
  qc.weight_bits = wbits;
  qc.activation_bits = abits;
  qc.weight_format = f;
  return quantize(m, qc, random_images(m.input_shape, 50, 7));
}

/// The logits codes of image i.
inline std::vector<int32_t> image_codes(const Logits& l, int i) {
  return std::vector<int32_t>(l.codes.begin() + size_t(i) * l.classes,
                              l.codes.begin() + size_t(i + 1) * l.classes);
}

}  // namespace safsim::test
