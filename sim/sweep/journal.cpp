// Journal lines and their durability (sweep_journal.h). nlohmann::json writes doubles in their
// shortest round-trip form, so a metric read back from the journal is bit-identical to the
// computed one and resumed results files equal uninterrupted ones byte for byte.
#include "sim/sweep/journal.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "base/errors.h"

namespace safsim {
namespace {

using Json = nlohmann::ordered_json;

std::string header_json(const SweepPlan& plan) {
  Json h;
  h["safsim_sweep_journal"] = 1;
  h["name"] = plan.name;
  h["fingerprint"] = fmt::format("{:016x}", plan.fingerprint);
  h["points"] = plan.points.size();
  h["repeat"] = plan.repeat;
  h["metrics"] = plan.metrics;
  return h.dump();
}

}  // namespace

std::string record_json(const SweepPlan& plan, const TrialRecord& r) {
  Json j;
  j["point"] = r.point;
  j["key"] = plan.points[size_t(r.point)].key;
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
    if (r.point < 0 || size_t(r.point) >= plan.points.size() || r.trial < 0 ||
        r.trial >= plan.repeat) {
      throw bad(fmt::format("point {} trial {} is outside this sweep", r.point, r.trial));
    }
    if (j.at("key").get<std::string>() != plan.points[size_t(r.point)].key) {
      throw bad(fmt::format("point {} is '{}' in the journal but '{}' in the sweep", r.point,
                            j.at("key").get<std::string>(), plan.points[size_t(r.point)].key));
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

JournalContents read_journal(const std::string& path, const SweepPlan& plan) {
  JournalContents c;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return c;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  std::set<std::pair<int, int>> seen;
  size_t begin = 0;
  int line_no = 0;
  while (begin < text.size()) {
    const size_t end = text.find('\n', begin);
    if (end == std::string::npos) {
      c.truncated_tail = true;  // killed mid-write: that trial simply runs again
      break;
    }
    const std::string line = text.substr(begin, end - begin);
    const std::string where = fmt::format("{}:{}", path, ++line_no);
    if (line_no == 1) {
      if (line != header_json(plan)) {
        throw UserError(fmt::format(
            "{}: this journal belongs to a different sweep (or another safsim version); use "
            "another --out directory, or delete the directory to start over",
            where));
      }
    } else {
      TrialRecord r = parse_record(plan, line, where);
      if (seen.emplace(r.point, r.trial).second) {
        c.records.push_back(std::move(r));
      }
    }
    begin = end + 1;
    c.complete_bytes = int64_t(begin);
  }
  return c;
}

SweepJournal::SweepJournal(const std::string& path, const SweepPlan& plan, int64_t keep_bytes)
    : path_(path), plan_(plan) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw UserError(fmt::format("cannot open journal '{}': {}", path, std::strerror(errno)));
  }
  if (::ftruncate(fd_, keep_bytes) != 0) {
    throw UserError(fmt::format("cannot truncate journal '{}': {}", path, std::strerror(errno)));
  }
  if (keep_bytes == 0) {
    write_all(header_json(plan) + "\n");
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
