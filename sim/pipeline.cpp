// Config -> model, quantized deployment and test images.
#include "sim/pipeline.h"

#include <fmt/format.h>

#include <cmath>

#include "base/errors.h"
#include "base/output_files.h"
#include "memory/deployment.h"
#include "sim/quantization/quantize.h"
#include "workloads/onnx_import.h"

namespace safsim {

Workload prepare_workload(const Config& c) {
  Workload w = load_workload(c);
  deploy_workload(c, w);
  return w;
}

void deploy_workload(const Config& c, Workload& w,
                     const std::function<MarchResult(const DefectMap&)>& march) {
  NvmTarget target;
  target.read_latency_cycles = c.accelerator.nvm.read_latency_cycles;
  target.write_latency_cycles = c.accelerator.nvm.write_latency_cycles;
  target.march = march;
  w.weights = deploy(w.qmodel, c.faults, c.mitigation, c.seed, /*trial=*/0, &w.deployment, target);
}

Workload load_workload(const Config& c) {
  Workload w;
  w.model = load_model(c.workload.model);
  Dataset test = load_dataset(c.workload.dataset, DatasetSplit::kTest);
  if (test.shape != w.model.input_shape) {
    throw UserError(fmt::format(
        "model '{}' expects {}x{}x{} inputs but dataset '{}' has {}x{}x{} images", w.model.name,
        w.model.input_shape.c, w.model.input_shape.h, w.model.input_shape.w, c.workload.dataset,
        test.shape.c, test.shape.h, test.shape.w));
  }
  if (c.workload.first_image >= test.count) {
    throw ConfigError(fmt::format("workload.first_image must be below {} (the test images), got {}",
                                  test.count, c.workload.first_image));
  }
  w.images = test.slice(c.workload.first_image, c.workload.images);
  Dataset calibration;
  if (!make_word_format(c.quant.weight_format, c.quant.weight_bits).is_float()) {
    calibration =
        load_dataset(c.workload.dataset, DatasetSplit::kTrain).slice(0, c.quant.calibration_images);
  }
  w.qmodel = quantize(w.model, c.quant, calibration);
  return w;
}

nlohmann::ordered_json summary_header(const Config& c, const Workload& w, const char* command,
                                      const char* engine, double accuracy) {
  nlohmann::ordered_json s;
  s["command"] = command;
  s["engine"] = engine;
  s["model"] = w.model.name;
  s["weight_format"] = to_string(w.qmodel.weight_format.format);
  s["weight_bits"] = w.qmodel.weight_format.bits;
  s["activation_bits"] = c.quant.activation_bits;
  s["images"] = w.images.count;
  s["correct"] = static_cast<int>(std::lround(accuracy * w.images.count));
  s["accuracy"] = accuracy;
  s["weights"] = w.qmodel.weight_count();
  s["macs_per_image"] = w.qmodel.macs_per_image();
  s["seed"] = c.seed;
  s["version"] = SAFSIM_VERSION;
  return s;
}

void report_deployment(const Workload& w, nlohmann::ordered_json& summary,
                       const std::string& out_dir) {
  nlohmann::ordered_json d;
  d["scheme"] = to_string(w.weights.read_path.scheme);
  w.deployment.visit([&](const char* name, const auto& value) { d[name] = value; });
  summary["deployment"] = d;
  if (!w.qmodel.is_float()) {
    write_file_atomic(out_dir + "/deviation.csv", deviation_csv(w.deployment));
  }
}

}  // namespace safsim
