// Config -> model, quantized deployment and test images.
#include "sim/pipeline.h"

#include <fmt/format.h>

#include <cmath>

#include "base/errors.h"
#include "memory/deployment.h"
#include "sim/bias_compensation.h"
#include "sim/model_cache.h"
#include "sim/quantization/quantize.h"
#include "workloads/input_fold.h"
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
  if (c.mitigation.bias_compensation == BiasCompensation::kMean) {
    load_calibration_images(c, w);
    compensate_biases(w.qmodel, w.weights, w.calibration_images, c.threads, w.deployment);
  }
}

std::string compensation_text(const Config& c, const DeploymentStats& d) {
  const MitigationConfig& m = c.mitigation;
  if (m.ties == TieRule::kLiteral && m.bias_compensation == BiasCompensation::kOff) {
    return "";
  }
  std::string s =
      fmt::format("|channel deviation sum| {:.2f} -> {:.2f} LSB",
                  d.mean_abs_channel_deviation_before, d.mean_abs_channel_deviation_after);
  if (m.bias_compensation == BiasCompensation::kMean) {
    s += fmt::format(
        "; bias compensation: expected accumulator change {:.1f}, bias shift {:.1f} (max {}) "
        "accumulator LSB, means over {} channels",
        d.mean_abs_expected_change, d.mean_abs_bias_shift, d.max_abs_bias_shift, d.output_channels);
  }
  return fmt::format("ties {}, {}", m.ties == TieRule::kBalanced ? "balanced" : "literal", s);
}

void require_model_biases(const Config& c, const char* command) {
  if (c.mitigation.bias_compensation != BiasCompensation::kOff) {
    throw ConfigError(fmt::format(
        "mitigation.bias_compensation is mean, but {} runs on the model's own biases; it is "
        "modelled by eval, run, bench and sweep (set mitigation.bias_compensation: off)",
        command));
  }
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

DatasetSource dataset_source(const Config& c, const Shape& input_shape) {
  DatasetSource s;
  s.name = c.workload.dataset;
  s.input_shape = input_shape;
  s.layout = c.workload.layout;
  s.synthetic = c.workload.synthetic;
  s.train_images = c.quant.calibration_first + c.quant.calibration_images;
  return s;
}

namespace {

/// value_c = scale[c] * (pixel / 255) + shift[c]: the dataset's pixel values, then
/// workload.normalize. Empty when the model takes pixel / 255 as it is.
void input_affine(const Config& c, const Model& m, const Dataset& d, std::vector<float>& scale,
                  std::vector<float>& shift) {
  const NormalizeConfig& n = c.workload.normalize;
  const size_t channels = size_t(m.input_shape.c);
  if (d.value_scale.empty() && !n.enabled()) {
    return;
  }
  if (n.enabled() && (n.mean.size() != channels || n.std.size() != channels)) {
    throw ConfigError(fmt::format(
        "workload.normalize needs one mean and one std per input channel: model '{}' has {} "
        "channels, got {} mean and {} std values",
        m.name, channels, n.mean.size(), n.std.size()));
  }
  scale.assign(channels, 1.0f);
  shift.assign(channels, 0.0f);
  for (size_t ch = 0; ch < channels; ++ch) {
    double a = d.value_scale.empty() ? 1.0 : d.value_scale[ch];
    double b = d.value_shift.empty() ? 0.0 : d.value_shift[ch];
    if (n.enabled()) {
      a /= n.std[ch];
      b = (b - n.mean[ch]) / n.std[ch];
    }
    scale[ch] = static_cast<float>(a);
    shift[ch] = static_cast<float>(b);
  }
}

const char* split_name(CalibrationSource s) {
  for (const auto& [name, value] : calibration_source_names()) {
    if (value == s) {
      return name;
    }
  }
  return "?";
}

/// The calibration images quant.calibration_* asks for, and where they came from. Only the
/// split's first calibration_first + calibration_images images are read.
Dataset calibration_images(const Config& c, DatasetSource source, const Model& m,
                           CalibrationInfo& info) {
  const QuantConfig& q = c.quant;
  CalibrationSource from = q.calibration_source;
  if (from == CalibrationSource::kAuto) {
    from = has_split(source, DatasetSplit::kTrain) ? CalibrationSource::kTrain
                                                   : CalibrationSource::kTest;
  }
  if (from == CalibrationSource::kTrain && source.name == "synthetic") {
    from = CalibrationSource::kSynthetic;  // the same stream: say what the images are
  }
  info.source = split_name(from);
  info.first = q.calibration_first;
  source.max_images = q.calibration_first + q.calibration_images;
  Dataset split;
  if (from == CalibrationSource::kTest) {
    split = load_dataset(source, DatasetSplit::kTest);
    check_split_fits(m, split, source.name, "test");
  } else if (from == CalibrationSource::kTrain) {
    if (!has_split(source, DatasetSplit::kTrain)) {
      throw ConfigError(fmt::format(
          "quant.calibration_source is train, but dataset '{}' has no training split; use test "
          "or synthetic",
          source.name));
    }
    split = load_dataset(source, DatasetSplit::kTrain);
    check_split_fits(m, split, source.name, "training");
  } else {
    DatasetSource synthetic = source;  // keyed as synthetic's training split
    synthetic.name = "synthetic";
    split = load_dataset(synthetic, DatasetSplit::kTrain);
  }
  if (q.calibration_first >= split.split_images) {
    throw ConfigError(fmt::format(
        "quant.calibration_first must be below {} (the images of the {} split of '{}'), "
        "got {}",
        split.split_images, info.source, source.name, q.calibration_first));
  }
  Dataset d = split.slice(q.calibration_first, q.calibration_images);
  info.images = d.count;
  return d;
}

bool integer_weights(const Config& c) {
  return !make_word_format(c.quant.weight_format, c.quant.weight_bits).is_float();
}

}  // namespace

Workload load_workload(const Config& c) {
  Workload w;
  w.model = load_model(c.workload.model);
  DatasetSource source = dataset_source(c, w.model.input_shape);
  source.max_images = c.workload.images == 0 ? 0 : c.workload.first_image + c.workload.images;
  const Dataset test = load_dataset(source, DatasetSplit::kTest);
  check_split_fits(w.model, test, c.workload.dataset, "test");
  if (c.workload.first_image >= test.split_images) {
    throw ConfigError(fmt::format("workload.first_image must be below {} (the test images), got {}",
                                  test.split_images, c.workload.first_image));
  }
  std::vector<float> scale, shift;
  input_affine(c, w.model, test, scale, shift);
  if (!scale.empty()) {
    fold_input_affine(w.model, scale, shift,
                      c.workload.normalize.enabled() ? "workload.normalize" : "a float dataset");
  }
  w.images = test.slice(c.workload.first_image, c.workload.images);
  const std::string cache_dir = model_cache_dir();
  const std::string key = cache_dir.empty() ? "" : model_cache_key(c);
  if (!cache_dir.empty()) {
    if (std::optional<CachedModel> hit = read_cached_model(cache_dir, key)) {
      w.qmodel = std::move(hit->qmodel);
      w.calibration = std::move(hit->calibration);
      w.model_cache = "hit";
      return w;
    }
  }
  load_calibration_images(c, w);
  w.qmodel = quantize(w.model, c.quant, w.calibration_images);
  if (!cache_dir.empty()) {
    write_cached_model(cache_dir, key, CachedModel{w.qmodel, w.calibration});
    w.model_cache = "miss";
  }
  return w;
}

void load_calibration_images(const Config& c, Workload& w) {
  if (integer_weights(c) && w.calibration_images.count == 0) {
    w.calibration_images =
        calibration_images(c, dataset_source(c, w.model.input_shape), w.model, w.calibration);
  }
}

nlohmann::ordered_json summary_header(const Config& c, const Workload& w, const char* command,
                                      const char* engine, const Outcome& o) {
  nlohmann::ordered_json s;
  s["command"] = command;
  s["engine"] = engine;
  s["model"] = w.model.name;
  s["dataset"] = c.workload.dataset;
  s["labels"] = w.images.has_labels();
  s["weight_format"] = to_string(w.qmodel.weight_format.format);
  s["weight_bits"] = w.qmodel.weight_format.bits;
  s["activation_bits"] = c.quant.activation_bits;
  s["calibration"] = {{"source", w.calibration.source},
                      {"first", w.calibration.first},
                      {"images", w.calibration.images}};
  s["model_cache"] = w.model_cache;
  s["images"] = w.images.count;
  if (o.accuracy) {
    s["correct"] = static_cast<int>(std::lround(*o.accuracy * w.images.count));
    s["accuracy"] = *o.accuracy;
  } else {
    s["correct"] = nullptr;
    s["accuracy"] = nullptr;
  }
  if (o.fault_free_accuracy && o.accuracy) {
    s["fault_free_accuracy"] = *o.fault_free_accuracy;
    s["accuracy_drop"] = *o.fault_free_accuracy - *o.accuracy;
  } else {
    s["fault_free_accuracy"] = nullptr;
    s["accuracy_drop"] = nullptr;
  }
  s["top1_agreement"] = o.top1_agreement;
  s["mean_abs_logit_change"] = o.mean_abs_logit_change;
  s["fault_free_engine"] = o.fault_free_engine;
  s["weights"] = w.qmodel.weight_count();
  s["macs_per_image"] = w.qmodel.macs_per_image();
  s["seed"] = c.seed;
  s["version"] = SAFSIM_VERSION;
  return s;
}

Outcome fault_free_outcome(double accuracy) {
  Outcome o;
  o.accuracy = accuracy;
  o.fault_free_accuracy = accuracy;
  return o;
}

void require_labels(const Workload& w, const char* what) {
  if (!w.images.has_labels()) {
    throw UserError(fmt::format("dataset '{}' has no labels, but {}; use a labeled dataset",
                                w.images.name, what));
  }
}

void report_deployment(const Workload& w, nlohmann::ordered_json& summary, WrittenFiles& out) {
  nlohmann::ordered_json d;
  d["scheme"] = to_string(w.weights.read_path.scheme);
  w.deployment.visit([&](const char* name, const auto& value) { d[name] = value; });
  summary["deployment"] = d;
  if (!w.qmodel.is_float()) {
    out.write("deviation.csv", deviation_csv(w.deployment));
  }
  if (!w.weights.bias.empty()) {
    std::string csv = "layer,channel,bias,deployed_bias,shift\n";
    for (size_t li = 0; li < w.weights.bias.size(); ++li) {
      const std::vector<int32_t>& deployed = w.weights.bias[li];
      for (size_t o = 0; o < deployed.size(); ++o) {
        const int32_t b = w.qmodel.layers[li].bias[o];
        csv += fmt::format("{},{},{},{},{}\n", w.qmodel.layers[li].name, o, b, deployed[o],
                           int64_t{deployed[o]} - b);
      }
    }
    out.write("bias_shift.csv", csv);
  }
}

}  // namespace safsim
