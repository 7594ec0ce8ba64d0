// Folding an affine map of a layer's input into the layer: how an input normalization
// ((x - mean) / std, torchvision's Normalize) and a dataset's pixel values reach the integer
// pipeline without an extra op, padding included (docs/quantization.md, "Input").
#pragma once

#include <vector>

#include "workloads/model.h"

namespace safsim {

/// Folds x -> scale[c] * x + shift[c] of input channel c into a Conv2d (or linear) layer:
/// w' = w * scale[c], b' = b + the sum of w * shift[c] over the taps, and the padding of the
/// untransformed input becomes (pad - shift[c]) / scale[c], so the layer computes the same
/// function of it, padding included. The first `taps_per_channel` entries of a weight row read
/// input channel 0 of the group, the next ones channel 1, ... (KH * KW for a convolution, 1 for
/// a linear layer on a flat input). scale[c] must be non-zero where the layer pads.
///   fold_affine_into_layer(conv, {1 / s}, {-m / s}, 9);   // conv now reads the raw x
void fold_affine_into_layer(Layer& l, const std::vector<float>& scale,
                            const std::vector<float>& shift, int taps_per_channel);

/// Makes `m` read u instead of its input x = scale[c] * u + shift[c] (per input channel): folds
/// the map into every layer that reads the input, directly or through a Flatten. Throws
/// UserError naming the layer when one of them is neither a Conv nor a Gemm.
void fold_input_affine(Model& m, const std::vector<float>& scale, const std::vector<float>& shift,
                       const char* why);

}  // namespace safsim
