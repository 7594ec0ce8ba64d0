// Regular-file checks before reading, with errno's text for what the system refused.
#include "base/input_files.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace safsim {

InputFile read_input_file(const std::string& path, uintmax_t max_bytes) {
  InputFile f;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    f.problem = std::strerror(errno);
    return f;
  }
  if (S_ISDIR(st.st_mode)) {
    f.problem = "is a directory";
    return f;
  }
  if (!S_ISREG(st.st_mode)) {
    f.problem = "not a regular file (a FIFO, device or socket is not read)";
    return f;
  }
  if (uintmax_t(st.st_size) > max_bytes) {
    f.problem =
        fmt::format("{} bytes, more than the {} bytes accepted", uintmax_t(st.st_size), max_bytes);
    return f;
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    f.problem = errno != 0 ? std::strerror(errno) : "cannot be opened";
    return f;
  }
  std::ostringstream text;
  text << in.rdbuf();
  f.bytes = text.str();
  return f;
}

}  // namespace safsim
