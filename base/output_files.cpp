// Atomic result files.
#include "base/output_files.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "base/errors.h"

namespace safsim {

void ensure_directory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw UserError(fmt::format("cannot create output directory '{}': {}", dir, ec.message()));
  }
}

void write_file_atomic(const std::string& path, const std::string& content) {
  const std::filesystem::path p(path);
  if (p.has_parent_path()) {
    ensure_directory(p.parent_path().string());
  }
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << content;
    f.flush();
    if (!f) {
      throw UserError(fmt::format("cannot write '{}'", tmp));
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    throw UserError(fmt::format("cannot rename '{}' to '{}': {}", tmp, path, ec.message()));
  }
}

}  // namespace safsim
