// `safsim gradient CONFIG --image N --out grad.json [--label golden|true]`: writes the deployed
// network (layer graph, real weights), one image's real activations and the backward pass's
// dL/dw of every weight, so that workloads/train/check_grad.py can recompute the gradient with
// PyTorch autograd (tests/e2e/grad_torch.sh).
#include "sim/cli/gradient_command.h"

#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "base/errors.h"
#include "sim/cli/common_options.h"
#include "sim/engines/backward.h"
#include "sim/engines/functional_engine.h"
#include "sim/pipeline.h"
#include "sim/written_files.h"

namespace safsim {
namespace {

struct GradientArgs {
  CommonOptions common;
  int image = 0;
  std::string label = "golden";
  std::string out_path;
};

nlohmann::ordered_json shape_json(const Shape& s) { return {s.c, s.h, s.w}; }

nlohmann::ordered_json layer_json(const QLayer& q) {
  nlohmann::ordered_json j;
  j["name"] = q.name;
  j["kind"] = to_string(q.kind);
  j["inputs"] = q.inputs;
  j["in_shape"] = shape_json(q.in_shape);
  j["out_shape"] = shape_json(q.out_shape);
  const WindowGeom& g = q.geom;
  j["geom"] = {{"kernel", {g.kernel_h, g.kernel_w}},
               {"stride", {g.stride_h, g.stride_w}},
               {"pad", {g.pad_top, g.pad_left, g.pad_bottom, g.pad_right}},
               {"count_include_pad", g.count_include_pad}};
  j["activation"] = activation_name(q);
  j["add_relu"] = q.add_relu;
  return j;
}

void run_gradient(const GradientArgs& a) {
  const Config c = load_cli_config(a.common);
  require_model_biases(c, "safsim gradient");
  check_read_errors_engine(c, false, "");  // it runs the functional engine
  const Workload w = prepare_workload(c);
  if (a.image < 0 || a.image >= w.images.count) {
    throw UserError(fmt::format("--image must be in [0, {}) (the configured test images), got {}",
                                w.images.count, a.image));
  }
  const FunctionalEngine engine(w.qmodel, w.weights, 1);
  const BackwardPass backward(w.qmodel, w.weights, engine);
  const std::vector<std::vector<float>> values =
      dequantized_activations(w.qmodel, engine, w.images.image(a.image));
  std::vector<double> logits(values.back().begin(), values.back().end());
  if (a.label != "golden") {
    require_labels(w,
                   "the gradient of the loss towards the label needs one (--label golden uses the "
                   "model's top-1)");
  }
  int label = a.label == "golden" ? 0 : w.images.labels[size_t(a.image)];
  if (a.label == "golden") {
    label = int(std::max_element(logits.begin(), logits.end()) - logits.begin());
  }
  double loss = 0.0;
  const WeightGradient grad = backward.weight_gradient(w.images.image(a.image), label, &loss);
  nlohmann::ordered_json j;
  j["model"] = w.model.name;
  j["image"] = int(w.images.first_index) + a.image;
  j["label"] = label;
  j["loss"] = loss;
  j["input_shape"] = shape_json(w.qmodel.input_shape);
  j["input"] = dequantized_input(w.qmodel, w.images.image(a.image));
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (size_t l = 0; l < w.qmodel.layers.size(); ++l) {
    nlohmann::ordered_json lj = layer_json(w.qmodel.layers[l]);
    lj["value"] = values[l];
    if (w.qmodel.layers[l].kind == QOpKind::kArray) {
      lj["weight"] = backward.real_weights()[l];
      lj["grad"] = grad[l];
    }
    layers.push_back(std::move(lj));
  }
  j["layers"] = std::move(layers);
  WrittenFiles out(std::filesystem::path(a.out_path).parent_path().string());
  out.write_at(a.out_path, j.dump() + "\n");
  fmt::print("{}: image {} label {} loss {:.6f} -> {}\n", w.model.name, j["image"].get<int>(),
             label, loss, a.out_path);
  out.announce();
}

}  // namespace

void register_gradient_command(CLI::App& app) {
  auto a = std::make_shared<GradientArgs>();
  CLI::App* cmd = app.add_subcommand(
      "gradient", "dL/dw of one image on the deployed model (straight-through backward pass)");
  add_common_options(cmd, a->common, false);
  cmd->remove_option(cmd->get_option("--out"));  // here --out is the JSON file
  cmd->add_option("--image", a->image, "row of the image among the configured test images")
      ->capture_default_str();
  cmd->add_option("--label", a->label, "loss against the golden top-1 or the true label")
      ->capture_default_str()
      ->check(CLI::IsMember({"golden", "true"}));
  cmd->add_option("--out", a->out_path, "JSON file to write")->required();
  cmd->callback([a] { run_gradient(*a); });
}

}  // namespace safsim
