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

/// A dataset or tensor file is missing, truncated or malformed (not IDX, not a TensorProto, a
/// shape that does not fit): names the file and what is wrong, e.g. the byte offset or the shape.
class DatasetError : public UserError {
 public:
  using UserError::UserError;
};

}  // namespace safsim
