// A fast hash of a file's bytes, so a run can tell later whether an input file (a model, a
// dataset) still holds what it read: the path alone says nothing when a file is replaced.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace safsim {

/// FNV-1a 64 of `bytes`, continuing from `h` (so chunks hash like the whole).
uint64_t fnv1a64(std::string_view bytes, uint64_t h = 0xCBF29CE484222325ull);

/// FNV-1a 64 of the bytes of the regular file `path`, read in chunks (a dataset of tens of MB
/// is never held whole); nullopt when it is missing, not a regular file or cannot be read.
///   std::optional<uint64_t> h = hash_file("workloads/zoo/lenet5.onnx");
std::optional<uint64_t> hash_file(const std::string& path);

}  // namespace safsim
