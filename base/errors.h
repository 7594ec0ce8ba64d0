// User-facing errors. Anything derived from UserError is the user's input being wrong (a config,
// a model file, a dataset): the CLI prints its message and exits with code 2.
#pragma once

#include <stdexcept>
#include <string>

namespace safsim {

class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A config file or --set override is wrong: "file:line:col: key: what is allowed, got X".
class ConfigError : public UserError {
 public:
  using UserError::UserError;
};

/// An ONNX model cannot be imported: names the node, the op type and what is supported.
class ModelError : public UserError {
 public:
  using UserError::UserError;
};

/// A dataset file is missing, truncated or not IDX: names the file and the byte offset.
class DatasetError : public UserError {
 public:
  using UserError::UserError;
};

}  // namespace safsim
