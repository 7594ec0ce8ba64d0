// Affine input maps folded into the layers that read them (input_fold.h).
#include "workloads/input_fold.h"

#include <fmt/format.h>

#include "base/errors.h"

namespace safsim {

void fold_affine_into_layer(Layer& l, const std::vector<float>& scale,
                            const std::vector<float>& shift, int taps_per_channel) {
  const int out_c = static_cast<int>(l.bias.size());
  const int group_in = static_cast<int>(scale.size()) / l.groups;
  const size_t per_output = l.weight.size() / size_t(out_c);
  for (int o = 0; o < out_c; ++o) {
    const int c0 = o / (out_c / l.groups) * group_in;
    double bias_shift = 0.0;
    for (size_t k = 0; k < per_output; ++k) {
      const int c = c0 + static_cast<int>(k / size_t(taps_per_channel));
      float& wt = l.weight[size_t(o) * per_output + k];
      bias_shift += double(wt) * shift[size_t(c)];
      wt *= scale[size_t(c)];
    }
    l.bias[size_t(o)] += static_cast<float>(bias_shift);
  }
  const WindowGeom& g = l.geom;
  if (g.pad_top || g.pad_left || g.pad_bottom || g.pad_right) {
    std::vector<float> pad(scale.size());
    for (size_t c = 0; c < scale.size(); ++c) {
      const float old = l.pad_value.empty() ? 0.0f : l.pad_value[c];
      pad[c] = (old - shift[c]) / scale[c];
    }
    l.pad_value = std::move(pad);
  }
}

namespace {

bool reads(const Layer& l, int index) {
  for (const int in : l.inputs) {
    if (in == index) {
      return true;
    }
  }
  return false;
}

/// Folds the map of the tensor `index` (per channel of its shape) into its readers.
void fold_into_readers(Model& m, int index, const std::vector<float>& scale,
                       const std::vector<float>& shift, const char* why) {
  for (size_t i = 0; i < m.layers.size(); ++i) {
    Layer& l = m.layers[i];
    if (!reads(l, index)) {
      continue;
    }
    if (l.kind == LayerKind::kConv2d && l.inputs.size() == 1) {
      fold_affine_into_layer(l, scale, shift, l.geom.kernel_h * l.geom.kernel_w);
    } else if (l.kind == LayerKind::kFlatten && index == -1) {
      // Flattening keeps CHW order: element k of the flat tensor is channel k / (H * W).
      const int64_t plane = int64_t{l.in_shape.h} * l.in_shape.w;
      std::vector<float> flat_scale, flat_shift;
      for (size_t c = 0; c < scale.size(); ++c) {
        flat_scale.insert(flat_scale.end(), size_t(plane), scale[c]);
        flat_shift.insert(flat_shift.end(), size_t(plane), shift[c]);
      }
      fold_into_readers(m, static_cast<int>(i), flat_scale, flat_shift, why);
    } else {
      throw UserError(fmt::format(
          "model '{}': layer '{}' ({}) reads the model input, but {} can only be folded into the "
          "Conv and Gemm layers that read it (directly or through a Flatten)",
          m.name, l.name, l.onnx_op.empty() ? to_string(l.kind) : l.onnx_op, why));
    }
  }
}

}  // namespace

void fold_input_affine(Model& m, const std::vector<float>& scale, const std::vector<float>& shift,
                       const char* why) {
  for (size_t c = 0; c < scale.size(); ++c) {
    if (scale[c] == 0.0f) {
      throw UserError(fmt::format("model '{}': {} maps input channel {} to a constant (scale 0)",
                                  m.name, why, c));
    }
  }
  fold_into_readers(m, -1, scale, shift, why);
}

}  // namespace safsim
