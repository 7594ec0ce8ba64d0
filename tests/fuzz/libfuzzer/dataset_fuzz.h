// The dataset targets (IDX, CIFAR, .npz) share how a dataset is read once its files are in
// place: as the CLI reads one (sim/pipeline.cpp), with options taken from one control byte of
// the input so the fuzzer explores them with the bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace safsim::fuzz {

/// Reads dataset `name` (a directory or an .npz in scratch) as `eval` does: the test split and,
/// when has_split() says there is one, the training split, each with
/// max_images = control & 3 (0: all), the model's input shape unset or 1x28x28 or 3x32x32
/// (control >> 2 & 3), the layout auto, nchw or nhwc (control >> 4 & 3). Checks that what is
/// returned is self-consistent; a DatasetError is a clean refusal.
void read_dataset_like_cli(const std::string& name, uint8_t control);

}  // namespace safsim::fuzz
