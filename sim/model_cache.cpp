// Entry layout: "SAFSIMQM", the key's length and bytes, the payload's length and bytes
// (calibration info, then serialize_quant_model()), and FNV-1a 64 of everything before it. The
// file name is a hash of the key, but the key itself is compared: two keys of one hash only
// evict each other.
#include "sim/model_cache.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "base/errors.h"
#include "base/file_hash.h"
#include "base/input_files.h"
#include "base/output_files.h"
#include "sim/config/json.h"
#include "workloads/dataset.h"
#include "workloads/onnx_import.h"
#include "workloads/quant_model_io.h"

namespace safsim {
namespace {

constexpr char kMagic[] = "SAFSIMQM";
constexpr size_t kMagicBytes = 8;

/// Path, size, modification time and inode: a replaced or rewritten file changes them, at the
/// cost of a stat (hashing Fashion-MNIST's 31 MB would cost 50 ms of every run).
std::string file_identity(const std::string& path) {
  struct stat st {};
  std::error_code ec;
  const std::string abs = std::filesystem::absolute(path, ec).string();
  if (::stat(path.c_str(), &st) != 0) {
    return fmt::format("{} missing", abs);
  }
  return fmt::format("{} size {} mtime {}.{:09d} inode {}:{}", abs, st.st_size, st.st_mtim.tv_sec,
                     st.st_mtim.tv_nsec, st.st_dev, st.st_ino);
}

template <class T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

template <class T>
bool get(std::string_view& in, T& v) {
  if (in.size() < sizeof(T)) {
    return false;
  }
  std::memcpy(&v, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return true;
}

/// A uint64 length and that many bytes.
bool get_bytes(std::string_view& in, std::string_view& out) {
  uint64_t n = 0;
  if (!get(in, n) || n > in.size()) {
    return false;
  }
  out = in.substr(0, n);
  in.remove_prefix(n);
  return true;
}

void put_bytes(std::string& out, std::string_view bytes) {
  put(out, uint64_t{bytes.size()});
  out += bytes;
}

std::string entry_path(const std::string& dir, const std::string& key) {
  return (std::filesystem::path(dir) / fmt::format("qmodel-{:016x}.bin", fnv1a64(key))).string();
}

}  // namespace

std::string model_cache_dir() {
  if (const char* d = std::getenv("SAFSIM_CACHE_DIR")) {
    return std::strcmp(d, "off") == 0 ? "" : d;
  }
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && *xdg != '\0') {
    return (std::filesystem::path(xdg) / "safsim").string();
  }
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0') {
    return (std::filesystem::path(home) / ".cache" / "safsim").string();
  }
  return "";
}

std::string model_cache_key(const Config& c) {
  nlohmann::ordered_json j = config_to_json(c);
  nlohmann::ordered_json workload = j["workload"];
  workload.erase("images");  // which test images run changes nothing quantized
  workload.erase("first_image");
  std::string key = fmt::format("safsim quantized model, format {}, version {}\n",
                                kQuantModelFormatVersion, SAFSIM_VERSION);
  // The build that quantizes: a rebuilt binary may quantize differently under one version.
  key += fmt::format("build {}\n", file_identity("/proc/self/exe"));
  const std::string model = model_file(c.workload.model);
  const std::optional<uint64_t> model_hash = hash_file(model);
  key += fmt::format("model {} fnv1a64 {:016x}\n", file_identity(model), model_hash.value_or(0));
  DatasetSource source;
  source.name = c.workload.dataset;
  for (const std::string& f : dataset_files(source)) {
    key += fmt::format("dataset file {}\n", file_identity(f));
  }
  key += "quant " + j["quant"].dump() + "\n";
  key += "workload " + workload.dump() + "\n";
  return key;
}

std::optional<CachedModel> read_cached_model(const std::string& dir, const std::string& key) {
  const InputFile f = read_input_file(entry_path(dir, key));
  if (!f.problem.empty() || f.bytes.size() < kMagicBytes + sizeof(uint64_t)) {
    return std::nullopt;
  }
  std::string_view body(f.bytes.data(), f.bytes.size() - sizeof(uint64_t));
  uint64_t stored_sum = 0;
  std::memcpy(&stored_sum, f.bytes.data() + body.size(), sizeof(uint64_t));
  if (body.substr(0, kMagicBytes) != std::string_view(kMagic, kMagicBytes) ||
      fnv1a64(body) != stored_sum) {
    return std::nullopt;
  }
  body.remove_prefix(kMagicBytes);
  std::string_view stored_key, payload, source;
  CachedModel m;
  if (!get_bytes(body, stored_key) || stored_key != key || !get_bytes(body, payload) ||
      !body.empty() || !get_bytes(payload, source) || !get(payload, m.calibration.first) ||
      !get(payload, m.calibration.images)) {
    return std::nullopt;
  }
  m.calibration.source = std::string(source);
  std::optional<QuantModel> q = parse_quant_model(payload);
  if (!q) {
    return std::nullopt;
  }
  m.qmodel = std::move(*q);
  return m;
}

void write_cached_model(const std::string& dir, const std::string& key, const CachedModel& m) {
  std::string payload;
  put_bytes(payload, m.calibration.source);
  put(payload, m.calibration.first);
  put(payload, m.calibration.images);
  payload += serialize_quant_model(m.qmodel);
  std::string entry(kMagic, kMagicBytes);
  put_bytes(entry, key);
  put_bytes(entry, payload);
  put(entry, fnv1a64(entry));
  const std::string path = entry_path(dir, key);
  try {
    write_file_atomic(path, entry);
  } catch (const UserError& e) {
    fmt::print(stderr, "warning: model cache: {}; the run goes on without it\n", e.what());
  }
}

}  // namespace safsim
