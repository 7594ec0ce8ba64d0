// Journal lines and their durability (sweep_journal.h). nlohmann::json writes doubles in their
// shortest round-trip form, so a metric read back from the journal is bit-identical to the
// computed one and resumed results files equal uninterrupted ones byte for byte.
#include "sim/sweep/journal.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "base/errors.h"
#include "base/output_files.h"

namespace safsim {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kJournalVersion = 2;  // 2: the header holds the input files' content hashes

Json inputs_json(const std::vector<SweepInput>& inputs) {
  Json list = Json::array();
  for (const SweepInput& in : inputs) {
    list.push_back(
        {{"key", in.key}, {"file", in.path}, {"fnv1a64", fmt::format("{:016x}", in.hash)}});
  }
  return list;
}

Json header(const SweepPlan& plan, const std::vector<SweepInput>& inputs) {
  Json h;
  h["safsim_sweep_journal"] = kJournalVersion;
  h["name"] = plan.name;
  h["fingerprint"] = fmt::format("{:016x}", plan.fingerprint);
  h["points"] = plan.point_count();
  h["repeat"] = plan.repeat;
  h["metrics"] = plan.metrics;
  h["inputs"] = inputs_json(inputs);
  return h;
}

/// The value of `field` of an input entry ("" when absent or not a string).
std::string input_field(const Json& entry, const char* field) {
  const auto it = entry.find(field);
  return it != entry.end() && it->is_string() ? it->get<std::string>() : "";
}

/// Throws UserError naming the first input file whose content (or presence) differs between the
/// journal header `journaled` and the files as they are now.
void check_inputs(const Json& journaled, const std::vector<SweepInput>& inputs,
                  const std::string& where) {
  const std::string fix = "restore the file, or use another --out directory for the new inputs";
  const Json now = inputs_json(inputs);
  for (const Json& old : journaled) {
    const std::string file = input_field(old, "file");
    const auto same_file = [&](const Json& e) { return input_field(e, "file") == file; };
    const auto it = std::find_if(now.begin(), now.end(), same_file);
    if (it == now.end()) {
      throw UserError(fmt::format(
          "{}: the sweep started on {} ({}), which cannot be read now (moved, deleted, or "
          "SAFSIM_ZOO_DIR / SAFSIM_DATA_DIR changed); {}",
          where, file, input_field(old, "key"), fix));
    }
    if (input_field(*it, "fnv1a64") != input_field(old, "fnv1a64")) {
      throw UserError(fmt::format(
          "{}: the content of {} ({}) changed since the sweep started (fnv1a64 {} then, {} "
          "now); resuming would mix trials of two inputs in one result set; {}",
          where, file, input_field(old, "key"), input_field(old, "fnv1a64"),
          input_field(*it, "fnv1a64"), fix));
    }
  }
  for (const Json& e : now) {
    const std::string file = input_field(e, "file");
    const auto same_file = [&](const Json& old) { return input_field(old, "file") == file; };
    if (std::find_if(journaled.begin(), journaled.end(), same_file) == journaled.end()) {
      throw UserError(
          fmt::format("{}: the sweep now reads {} ({}), which it did not read when it started; {}",
                      where, file, input_field(e, "key"), fix));
    }
  }
}

/// Throws UserError unless the header line `line` is the one this plan and these inputs write.
void check_header(const SweepPlan& plan, const std::vector<SweepInput>& inputs,
                  const std::string& line, const std::string& where) {
  const Json want = header(plan, inputs);
  if (line == want.dump()) {
    return;
  }
  const Json got = Json::parse(line, nullptr, false);
  const bool object = !got.is_discarded() && got.is_object();
  if (object && got.contains("safsim_sweep_journal") && got["safsim_sweep_journal"] == 1) {
    throw UserError(fmt::format(
        "{}: this journal was written by an older safsim that did not record the content of "
        "the model and dataset files, so it cannot tell whether they changed since; finish the "
        "sweep with that safsim, or use another --out directory",
        where));
  }
  const UserError other_sweep(fmt::format(
      "{}: this journal belongs to a different sweep (or another safsim version); use another "
      "--out directory, or delete the directory to start over",
      where));
  Json got_rest = object ? got : Json::object(), want_rest = want;
  got_rest.erase("inputs");
  want_rest.erase("inputs");
  if (got_rest != want_rest || !got.contains("inputs") || !got["inputs"].is_array()) {
    throw other_sweep;
  }
  check_inputs(got["inputs"], inputs, where);
  throw other_sweep;  // the same files with the same contents, yet not this header
}

}  // namespace

std::string record_json(const SweepPlan& plan, const TrialRecord& r) {
  Json j;
  j["point"] = r.point;
  j["key"] = plan.point_key(r.point);
  j["trial"] = r.trial;
  j["seed"] = r.seed;
  Json m = Json::object();
  for (size_t i = 0; i < plan.metrics.size(); ++i) {
    m[plan.metrics[i]] = r.metrics[i];  // NaN is written as null and read back as NaN
  }
  j["metrics"] = m;
  return j.dump();
}

TrialRecord parse_record(const SweepPlan& plan, const std::string& line, const std::string& where) {
  const auto bad = [&](const std::string& why) {
    return UserError(fmt::format("{}: {}", where, why));
  };
  Json j = Json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    throw bad("not a JSON object");
  }
  TrialRecord r;
  try {
    r.point = j.at("point").get<int>();
    r.trial = j.at("trial").get<int>();
    r.seed = j.at("seed").get<uint64_t>();
    if (r.point < 0 || r.point >= plan.point_count() || r.trial < 0 || r.trial >= plan.repeat) {
      throw bad(fmt::format("point {} trial {} is outside this sweep", r.point, r.trial));
    }
    const std::string key = plan.point_key(r.point);
    if (j.at("key").get<std::string>() != key) {
      throw bad(fmt::format("point {} is '{}' in the journal but '{}' in the sweep", r.point,
                            j.at("key").get<std::string>(), key));
    }
    if (r.seed != trial_seed(plan.seed, r.trial)) {
      throw bad(fmt::format("trial {} has seed {}, the sweep derives {}", r.trial, r.seed,
                            trial_seed(plan.seed, r.trial)));
    }
    const Json& m = j.at("metrics");
    for (const std::string& name : plan.metrics) {
      const Json& v = m.at(name);
      r.metrics.push_back(v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>());
    }
  } catch (const Json::exception& e) {
    throw bad(fmt::format("not a trial record of this sweep ({})", e.what()));
  }
  return r;
}

namespace {

/// A journal's bytes cut into lines: [begin, end) of each complete line, and what follows the
/// last newline (a line torn by a kill mid-write).
struct JournalLines {
  std::string text;
  std::vector<std::pair<size_t, size_t>> lines;
  size_t complete_bytes = 0;  // through the last newline
  bool has_tail = false;

  std::string line(size_t i) const {
    return text.substr(lines[i].first, lines[i].second - lines[i].first);
  }
};

/// Missing file: no lines.
JournalLines split_journal(const std::string& path) {
  JournalLines j;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return j;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  j.text = buf.str();
  size_t begin = 0;
  while (begin < j.text.size()) {
    const size_t end = j.text.find('\n', begin);
    if (end == std::string::npos) {
      j.has_tail = true;
      break;
    }
    j.lines.emplace_back(begin, end);
    begin = end + 1;
    j.complete_bytes = begin;
  }
  return j;
}

/// "5, 9-12, 40": sorted line numbers as ranges.
std::string line_ranges(const std::vector<int64_t>& lines) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < lines.size();) {
    size_t j = i;
    while (j + 1 < lines.size() && lines[j + 1] == lines[j] + 1) {
      ++j;
    }
    parts.push_back(j == i ? fmt::format("{}", lines[i])
                           : fmt::format("{}-{}", lines[i], lines[j]));
    i = j + 1;
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace

JournalContents read_journal(const std::string& path, const SweepPlan& plan,
                             const std::vector<SweepInput>& inputs) {
  JournalContents c;
  const JournalLines j = split_journal(path);
  c.truncated_tail = j.has_tail;  // killed mid-write: that trial simply runs again
  c.complete_bytes = int64_t(j.complete_bytes);
  std::set<std::pair<int, int>> seen;
  for (size_t i = 0; i < j.lines.size(); ++i) {
    const std::string where = fmt::format("{}:{}", path, i + 1);
    if (i == 0) {
      check_header(plan, inputs, j.line(0), where);
      continue;
    }
    TrialRecord r;
    try {
      r = parse_record(plan, j.line(i), where);
    } catch (const UserError& e) {
      throw UserError(fmt::format(
          "{}; continue with --resume --repair, which drops every line that is not a record of "
          "this sweep (and says which) and runs those trials again",
          e.what()));
    }
    if (seen.emplace(r.point, r.trial).second) {
      c.records.push_back(std::move(r));
    }
  }
  return c;
}

JournalRepair repair_journal(const std::string& path, const SweepPlan& plan,
                             const std::vector<SweepInput>& inputs) {
  JournalRepair r;
  const JournalLines j = split_journal(path);
  if (j.lines.empty()) {
    return r;  // nothing but a torn header, which opening the journal rewrites anyway
  }
  check_header(plan, inputs, j.line(0), fmt::format("{}:1", path));
  std::string kept = j.line(0) + "\n";
  for (size_t i = 1; i < j.lines.size(); ++i) {
    const std::string line = j.line(i);
    try {
      parse_record(plan, line, fmt::format("line {}", i + 1));
      kept += line + "\n";
      ++r.kept;
    } catch (const UserError& e) {
      r.dropped.push_back({int64_t(i + 1), e.what()});
    }
  }
  if (j.has_tail) {
    r.tail_line = int64_t(j.lines.size() + 1);
    r.tail_bytes = int64_t(j.text.size() - j.complete_bytes);
  }
  if (r.dropped.empty() && !j.has_tail) {
    return r;
  }
  write_file_atomic(path, kept, /*durable=*/true);
  r.rewritten = true;
  return r;
}

std::string describe_repair(const std::string& path, const JournalRepair& r) {
  if (!r.rewritten) {
    return fmt::format("{}: every line is a record of this sweep; nothing to repair", path);
  }
  std::vector<int64_t> lines;
  for (const JournalRepair::Dropped& d : r.dropped) {
    lines.push_back(d.line);
  }
  std::string s =
      fmt::format("repaired {}: kept the header and {} record(s); dropped ", path, r.kept);
  if (!r.dropped.empty()) {
    s += fmt::format("{} line(s) that are not records of this sweep (line{} {})", r.dropped.size(),
                     r.dropped.size() == 1 ? "" : "s", line_ranges(lines));
  }
  if (r.tail_line > 0) {
    s += fmt::format("{}the incomplete last line {} ({} bytes without a newline)",
                     r.dropped.empty() ? "" : " and ", r.tail_line, r.tail_bytes);
  }
  s += "; their trials run again";
  constexpr size_t kReasons = 10;  // enough to see what went wrong; the numbers are all above
  for (size_t i = 0; i < r.dropped.size() && i < kReasons; ++i) {
    s += "\n  " + r.dropped[i].why;
  }
  if (r.dropped.size() > kReasons) {
    s += fmt::format("\n  ... and {} more", r.dropped.size() - kReasons);
  }
  return s;
}

SweepJournal::SweepJournal(const std::string& path, const SweepPlan& plan,
                           const std::vector<SweepInput>& inputs, int64_t keep_bytes)
    : path_(path), plan_(plan) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw UserError(fmt::format("cannot open journal '{}': {}", path, std::strerror(errno)));
  }
  if (::ftruncate(fd_, keep_bytes) != 0) {
    throw UserError(fmt::format("cannot truncate journal '{}': {}", path, std::strerror(errno)));
  }
  if (keep_bytes == 0) {
    write_all(header(plan, inputs).dump() + "\n");
  }
}

SweepJournal::~SweepJournal() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

void SweepJournal::append(const std::vector<TrialRecord>& records) {
  std::string text;
  for (const TrialRecord& r : records) {
    text += record_json(plan_, r) + "\n";
  }
  if (!text.empty()) {
    write_all(text);
  }
}

void SweepJournal::write_all(const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;  // Ctrl-C arrived mid-write: finish the line
    }
    if (n < 0) {
      throw UserError(fmt::format("cannot write journal '{}': {}", path_, std::strerror(errno)));
    }
    done += size_t(n);
  }
  if (::fsync(fd_) != 0 && errno != EINVAL) {
    throw UserError(fmt::format("cannot sync journal '{}': {}", path_, std::strerror(errno)));
  }
}

}  // namespace safsim
