// File helpers of the tests: the whole text of a file.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace safsim::test {

/// The content of `path` ("" when it cannot be read).
inline std::string read_all(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace safsim::test
