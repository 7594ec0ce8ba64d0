// What every libFuzzer target of the parsers shares: the one rule of what counts as a finding,
// and a scratch directory for the readers that take a path (docs/limits.md, "Fuzzing").
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <typeinfo>

#include "base/errors.h"

namespace safsim::fuzz {

/// Prints an exception that is not a UserError (the CLI would exit 1, "internal error", or
/// print a message without the file) and aborts, so libFuzzer keeps the input as a crash.
[[noreturn]] void report_escape(const std::type_info* type, const char* what);

/// Runs `parse` on one input. A UserError is the parser refusing bad input (exit code 2 in the
/// CLI): a clean outcome. Any other exception is a finding; crashes, sanitizer reports and
/// leaks are caught by libFuzzer and the sanitizers themselves.
template <class Parse>
void expect_clean(Parse&& parse) {
  try {
    parse();
  } catch (const UserError&) {
    // A clear refusal: what bad input must give.
  } catch (const std::exception& e) {
    report_escape(&typeid(e), e.what());
  } catch (...) {
    report_escape(nullptr, "");
  }
}

/// A check of what a parser returned (a round trip, an invariant): aborts with `what` when it
/// fails, as an escaped exception does.
void require(bool ok, const char* what);

/// A directory of this process only (under /dev/shm when it exists: no disk writes per input),
/// made on first use and removed at exit.
const std::string& scratch_dir();

/// Writes `size` bytes to scratch_dir()/`name` (replacing it; `name` may name a subdirectory
/// made by fresh_scratch_dir()) and returns the file's path.
std::string write_scratch(const std::string& name, const uint8_t* data, size_t size);

/// A fresh, empty directory scratch_dir()/`name`.
std::string fresh_scratch_dir(const std::string& name);

}  // namespace safsim::fuzz
