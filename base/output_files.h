// Writing result files: atomically (temp file + rename), so a crash never leaves half a file.
#pragma once

#include <string>

namespace safsim {

/// Writes `content` to `path` via a unique temporary file beside it and rename(); creates parent
/// directories. On failure the temporary file is removed and the message carries errno's text.
/// `durable`: the data is fsync'd before the rename and the directory after it, so a crash right
/// after cannot leave an empty file in place of the old one (for files that are the only copy
/// of finished work, such as a sweep journal).
void write_file_atomic(const std::string& path, const std::string& content, bool durable = false);

/// Creates `dir` (and parents) if missing; throws UserError if it cannot.
void ensure_directory(const std::string& dir);

}  // namespace safsim
