// The files a command wrote, announced by the one line every command that writes files ends
// with, on stderr (stdout may be a JSON line meant for a pipe, as `safsim bench` prints):
//   wrote /home/u/out: summary.json, layers.csv, config.resolved.yaml
// The directory is absolute, so the line says where the results are whatever output.dir,
// --out or the working directory were.
#pragma once

#include <string>
#include <vector>

namespace safsim {

class WrittenFiles {
 public:
  /// Files of the directory `dir` (created when the first one is written).
  explicit WrittenFiles(const std::string& dir);

  /// Writes dir/name atomically (base/output_files.h) and lists it; `name` may hold a
  /// subdirectory ("compare/summary.json").
  void write(const std::string& name, const std::string& content);
  /// Writes the file `path` (relative to the working directory, or absolute) atomically and
  /// lists it as add() does.
  void write_at(const std::string& path, const std::string& content);
  /// Lists a file other code wrote at `path` (relative to the working directory, or absolute):
  /// relative to dir when it lies below it, else absolute; a trailing '/' (a directory of
  /// files) is kept. A file is listed once.
  void add(const std::string& path);

  const std::string& dir() const { return dir_; }  // as given
  const std::vector<std::string>& names() const { return names_; }
  /// "wrote /abs/dir: a, b"; empty when nothing was listed.
  std::string line() const;
  /// Prints line() on stderr (nothing when nothing was listed).
  void announce() const;

 private:
  std::string dir_;
  std::string absolute_dir_;
  std::vector<std::string> names_;
};

}  // namespace safsim
