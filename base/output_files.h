// Writing result files: atomically (temp file + rename), so a crash never leaves half a file.
#pragma once

#include <string>

namespace safsim {

/// Writes `content` to `path` via a unique temporary file beside it and rename(); creates parent
/// directories. On failure the temporary file is removed and the message carries errno's text.
void write_file_atomic(const std::string& path, const std::string& content);

/// Creates `dir` (and parents) if missing; throws UserError if it cannot.
void ensure_directory(const std::string& dir);

}  // namespace safsim
