// The readers behind load_dataset() (workloads/dataset.h), one per source kind, and the checks
// they share. Internal to workloads/: dataset.cpp dispatches to them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "workloads/dataset.h"

namespace safsim::dataset_readers {

/// Upper bounds of what a reader accepts before it allocates: images per split and payload bytes
/// of one array or file (a header that announces more is refused as implausible).
constexpr int64_t kMaxImages = 1000000;
constexpr uint64_t kMaxPayloadBytes = uint64_t{16} << 30;

/// "3x32x32".
std::string shape_text(const Shape& s);

/// Throws DatasetError "<what> holds 1x28x28 images but the model takes 3x32x32" when
/// `source.input_shape` is set and differs from `got`.
void check_input_shape(const DatasetSource& source, const Shape& got, const std::string& what);

/// Throws DatasetError when `path` exists but is not a regular file (a FIFO or a device would
/// block or never end) or is a directory; `expected` says what it should be.
void require_regular_file(const std::string& path, const std::string& expected);

// IDX files (dataset.cpp, idx_prefix.cpp).
constexpr uint32_t kImageMagic3 = 0x00000803;  // unsigned byte, 3 dimensions (N x H x W)
constexpr uint32_t kImageMagic4 = 0x00000804;  // unsigned byte, 4 dimensions (N x C x H x W)
constexpr uint32_t kLabelMagic = 0x00000801;   // unsigned byte, 1 dimension
constexpr size_t kLabelHeaderBytes = 8;        // magic, count
/// True when an IDX image header's dimensions are ones load_idx() accepts (before allocating).
bool idx_image_header_plausible(uint32_t count, uint32_t channels, uint32_t rows, uint32_t cols);
/// The first `max_images` images (0: all) of an IDX image and label file pair, reading no
/// further into either; nullopt whenever anything is not as load_idx() accepts it (it then reads
/// the whole files and says what is wrong).
std::optional<Dataset> load_idx_prefix(const std::string& images_path,
                                       const std::string& labels_path, int max_images);

// .npz archives (npz_dataset.cpp).
Dataset load_npz(const DatasetSource& source, const std::string& path, DatasetSplit split);
bool npz_has_split(const std::string& path, DatasetSplit split);

// CIFAR-10/100 binary directories (cifar_dataset.cpp).
enum class CifarKind { kNone, kCifar10, kCifar100 };
/// What `dir` holds: CIFAR-10 batches (test_batch.bin, data_batch_N.bin), CIFAR-100 ones
/// (train.bin, test.bin) or neither. `batch_dir` is set to where the files are: `dir` or its
/// cifar-10-batches-bin/ or cifar-100-binary/ subdirectory.
CifarKind cifar_kind(const std::string& dir, std::string* batch_dir);
/// The batch files of a split that exist, in reading order.
std::vector<std::string> cifar_files(CifarKind kind, const std::string& batch_dir,
                                     DatasetSplit split);
Dataset load_cifar(const DatasetSource& source, CifarKind kind, const std::string& batch_dir,
                   DatasetSplit split);

// Seeded synthetic images (synthetic_dataset.cpp).
Dataset load_synthetic(const DatasetSource& source, DatasetSplit split);

}  // namespace safsim::dataset_readers
