// Atomic result files.
#include "base/output_files.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "base/errors.h"

namespace safsim {

void ensure_directory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw UserError(fmt::format("cannot create output directory '{}': {}", dir, ec.message()));
  }
}

void write_file_atomic(const std::string& path, const std::string& content, bool durable) {
  const std::filesystem::path p(path);
  if (p.has_parent_path()) {
    ensure_directory(p.parent_path().string());
  }
  std::error_code ec;
  if (std::filesystem::is_directory(p, ec)) {
    throw UserError(fmt::format("cannot write '{}': it is a directory", path));
  }
  // A unique name beside the target (same file system, so rename() is atomic), never left
  // behind: two writers of one path cannot mix their bytes, and a failed write cleans up.
  std::string tmp = path + ".tmp.XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    throw UserError(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
  }
  const char* data = content.data();
  size_t left = content.size();
  int error = 0;
  while (left > 0) {
    const ssize_t n = ::write(fd, data, left);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      error = errno;
      break;
    }
    data += n;
    left -= size_t(n);
  }
  if (durable && error == 0 && ::fsync(fd) != 0) {
    error = errno;
  }
  if (::close(fd) != 0 && error == 0) {
    error = errno;
  }
  if (error == 0 && ::chmod(tmp.c_str(), 0644) != 0) {
    error = errno;
  }
  if (error == 0 && std::rename(tmp.c_str(), path.c_str()) != 0) {
    error = errno;
  }
  if (error != 0) {
    ::unlink(tmp.c_str());
    throw UserError(fmt::format("cannot write '{}': {}", path, std::strerror(error)));
  }
  if (durable) {
    // The rename itself is durable once the directory entry is on disk.
    const std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0 || (::fsync(dir_fd) != 0 && errno != EINVAL)) {
      const int e = errno;
      if (dir_fd >= 0) {
        ::close(dir_fd);
      }
      throw UserError(fmt::format("cannot sync the directory of '{}': {}", path, std::strerror(e)));
    }
    ::close(dir_fd);
  }
}

}  // namespace safsim
