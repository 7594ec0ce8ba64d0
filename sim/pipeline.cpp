// Config -> model, quantized deployment and test images.
#include "sim/pipeline.h"

#include <fmt/format.h>

#include <cmath>

#include "base/errors.h"
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

namespace {

/// A split the model can run: images of its input shape, at least one, labels below its class
/// count (a label outside would count as a silent misclassification).
void check_split_fits(const Model& m, const Dataset& d, const std::string& dataset,
                      const char* split) {
  if (d.shape != m.input_shape) {
    throw UserError(
        fmt::format("model '{}' expects {}x{}x{} inputs but dataset '{}' has {}x{}x{} images",
                    m.name, m.input_shape.c, m.input_shape.h, m.input_shape.w, dataset, d.shape.c,
                    d.shape.h, d.shape.w));
  }
  if (d.count == 0) {
    throw DatasetError(fmt::format("dataset '{}': the {} split holds no images", dataset, split));
  }
  const int64_t classes = m.output().out_shape.size();
  for (int i = 0; i < d.count && size_t(i) < d.labels.size(); ++i) {
    if (d.labels[size_t(i)] >= classes) {
      throw DatasetError(fmt::format(
          "dataset '{}': {} image {} has label {}, but model '{}' has {} classes (0..{})", dataset,
          split, d.first_index + i, int(d.labels[size_t(i)]), m.name, classes, classes - 1));
    }
  }
}

}  // namespace

Workload load_workload(const Config& c) {
  Workload w;
  w.model = load_model(c.workload.model);
  Dataset test = load_dataset(c.workload.dataset, DatasetSplit::kTest);
  check_split_fits(w.model, test, c.workload.dataset, "test");
  if (c.workload.first_image >= test.count) {
    throw ConfigError(fmt::format("workload.first_image must be below {} (the test images), got {}",
                                  test.count, c.workload.first_image));
  }
  w.images = test.slice(c.workload.first_image, c.workload.images);
  Dataset calibration;
  if (!make_word_format(c.quant.weight_format, c.quant.weight_bits).is_float()) {
    calibration =
        load_dataset(c.workload.dataset, DatasetSplit::kTrain).slice(0, c.quant.calibration_images);
    check_split_fits(w.model, calibration, c.workload.dataset, "training");
  }
  w.qmodel = quantize(w.model, c.quant, calibration);
  return w;
}

nlohmann::ordered_json summary_header(const Config& c, const Workload& w, const char* command,
                                      const char* engine, double accuracy,
                                      const std::optional<FaultFreeBaseline>& baseline) {
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
  if (baseline) {
    s["fault_free_accuracy"] = baseline->accuracy;
    s["accuracy_drop"] = baseline->accuracy - accuracy;
    s["fault_free_engine"] = baseline->engine;
  }
  s["weights"] = w.qmodel.weight_count();
  s["macs_per_image"] = w.qmodel.macs_per_image();
  s["seed"] = c.seed;
  s["version"] = SAFSIM_VERSION;
  return s;
}

void report_deployment(const Workload& w, nlohmann::ordered_json& summary, WrittenFiles& out) {
  nlohmann::ordered_json d;
  d["scheme"] = to_string(w.weights.read_path.scheme);
  w.deployment.visit([&](const char* name, const auto& value) { d[name] = value; });
  summary["deployment"] = d;
  if (!w.qmodel.is_float()) {
    out.write("deviation.csv", deviation_csv(w.deployment));
  }
}

}  // namespace safsim
