#include "tests/fuzz/libfuzzer/fuzz_support.h"

#include <cxxabi.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

// libsystemc.so, which every layer links, defines a main() that calls sc_main; the fuzz targets
// run libFuzzer's main instead, so this one only resolves the symbol and never runs.
extern "C" int sc_main(int, char**) { return 0; }

namespace safsim::fuzz {

namespace fs = std::filesystem;

void report_escape(const std::type_info* type, const char* what) {
  std::string name = "a non-std exception";
  if (type != nullptr) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> demangled(
        abi::__cxa_demangle(type->name(), nullptr, nullptr, &status), std::free);
    name = status == 0 ? demangled.get() : type->name();
  }
  std::fprintf(stderr, "==fuzz== escaped exception (not a safsim::UserError): %s: %s\n",
               name.c_str(), what);
  std::abort();
}

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "==fuzz== check failed: %s\n", what);
    std::abort();
  }
}

namespace {

void remove_scratch() {
  std::error_code ec;
  fs::remove_all(scratch_dir(), ec);
}

}  // namespace

const std::string& scratch_dir() {
  // Never destroyed: remove_scratch() runs at exit, after static destructors may have run.
  static const std::string* dir = [] {
    std::error_code ec;
    const fs::path root =
        fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
    const fs::path d = root / ("safsim-fuzz-" + std::to_string(getpid()));
    fs::create_directories(d);
    auto* path = new std::string(d.string());
    std::atexit(remove_scratch);
    return path;
  }();
  return *dir;
}

std::string write_scratch(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = scratch_dir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  require(out.good(), "writing a scratch file");
  return path;
}

std::string fresh_scratch_dir(const std::string& name) {
  const fs::path d = fs::path(scratch_dir()) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d.string();
}

}  // namespace safsim::fuzz
