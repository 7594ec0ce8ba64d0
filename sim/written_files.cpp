// The closing "wrote ..." line (written_files.h).
#include "sim/written_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "base/output_files.h"

namespace safsim {
namespace {

std::string absolute_normal(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(path, ec).lexically_normal();
  std::string s = (ec ? std::filesystem::path(path) : p).string();
  while (s.size() > 1 && s.back() == '/') {
    s.pop_back();  // "out/" and "out" are one directory
  }
  return s;
}

}  // namespace

WrittenFiles::WrittenFiles(const std::string& dir)
    : dir_(dir.empty() ? "." : dir), absolute_dir_(absolute_normal(dir_)) {}

void WrittenFiles::write(const std::string& name, const std::string& content) {
  write_at(dir_ + "/" + name, content);
}

void WrittenFiles::write_at(const std::string& path, const std::string& content) {
  write_file_atomic(path, content);
  add(path);
}

void WrittenFiles::add(const std::string& path) {
  const std::string abs = absolute_normal(path);
  const std::string below = absolute_dir_ == "/" ? "/" : absolute_dir_ + "/";
  std::string name = abs.rfind(below, 0) == 0 ? abs.substr(below.size()) : abs;
  if (!path.empty() && path.back() == '/') {
    name += "/";  // a directory of files ("testsets/")
  }
  if (std::find(names_.begin(), names_.end(), name) == names_.end()) {
    names_.push_back(name);  // rewritten files (an analysis's ber.csv) are listed once
  }
}

std::string WrittenFiles::line() const {
  return names_.empty() ? "" : fmt::format("wrote {}: {}", absolute_dir_, fmt::join(names_, ", "));
}

void WrittenFiles::announce() const {
  if (!names_.empty()) {
    std::fflush(stdout);  // the results first, then where they went
    fmt::print(stderr, "{}\n", line());
  }
}

}  // namespace safsim
