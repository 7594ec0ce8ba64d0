// Reading a user's input file (config, sweep, model, defect map, test set) in one place: only
// regular files, and only up to a size, so a directory, a FIFO or /dev/zero is refused with a
// reason instead of hanging or reading without end.
#pragma once

#include <cstdint>
#include <string>

namespace safsim {

/// Largest input file read by default: far above any config, model or map safsim takes.
constexpr uintmax_t kMaxInputFileBytes = uintmax_t{1} << 31;

/// The bytes of a file, or why it could not be read (`problem` empty on success).
struct InputFile {
  std::string bytes;
  std::string problem;  // "No such file or directory", "is a directory", ...
};

/// Reads `path` when it is a regular file of at most `max_bytes`. Callers turn `problem` into
/// their own error, naming the file and what it was meant to be:
///   InputFile f = read_input_file(path);
///   if (!f.problem.empty()) throw ConfigError(path + ": cannot open config file: " + f.problem);
InputFile read_input_file(const std::string& path, uintmax_t max_bytes = kMaxInputFileBytes);

}  // namespace safsim
