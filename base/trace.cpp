// VCD file creation, scope-glob matching and the GTKWave save file written beside the VCD.
#include "base/trace.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "base/did_you_mean.h"
#include "base/errors.h"

namespace safsim {
namespace {

std::string strip_vcd(const std::string& path) {
  const std::string ext = ".vcd";
  if (path.size() > ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0) {
    return path.substr(0, path.size() - ext.size());
  }
  return path;
}

// "a.b.c" -> {"a.b.c", "a.b", "a"}.
std::vector<std::string> name_and_scopes(const std::string& name) {
  std::vector<std::string> out{name};
  for (size_t dot = name.rfind('.'); dot != std::string::npos && dot > 0;
       dot = name.rfind('.', dot - 1)) {
    out.push_back(name.substr(0, dot));
  }
  return out;
}

// Digit runs become '*': "accelerator.array.pe_3_5" -> "accelerator.array.pe_*_*".
std::string digits_to_glob(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(s[i])) != 0) {
      out += '*';
      while (i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])) != 0) {
        ++i;
      }
    } else {
      out += s[i];
    }
  }
  return out;
}

// GTKWave's trace flags (its analyzer.h): right-justified values in one radix, a translate file.
constexpr unsigned kRjustify = 0x20, kHex = 0x2, kDec = 0x4, kBin = 0x8, kSigned = 0x400;
constexpr unsigned kBlank = 0x200, kFileFilter = 0x2000;

unsigned gtkw_flags(const TraceSignal& s) {
  if (s.is_real) {
    return kRjustify;
  }
  if (!s.value_names.empty()) {
    return kRjustify | kDec | kFileFilter;
  }
  switch (s.display) {
    case TraceDisplay::kBinary:
      return kRjustify | kBin;
    case TraceDisplay::kHex:
      return kRjustify | kHex;
    case TraceDisplay::kUnsigned:
      return kRjustify | kDec;
    case TraceDisplay::kSigned:
      return kRjustify | kSigned;
    case TraceDisplay::kAuto:
      break;
  }
  return s.width == 1 ? kRjustify | kBin : kRjustify | kHex;
}

std::vector<std::string> split_dots(const std::string& s) {
  std::vector<std::string> out;
  size_t from = 0;
  for (size_t dot = s.find('.'); dot != std::string::npos; dot = s.find('.', from)) {
    out.push_back(s.substr(from, dot - from));
    from = dot + 1;
  }
  out.push_back(s.substr(from));
  return out;
}

// The glob with each of its dot-separated parts that matches no scope at its depth replaced
// by the closest name there ("accelerator.aray.pe_0_*" -> "accelerator.array.pe_0_*"), or ""
// when some part has no close name.
std::string corrected_glob(const std::string& glob, const std::set<std::string>& names) {
  std::string prefix;  // the corrected parts so far, with a trailing '.'
  std::string out;
  for (const std::string& part : split_dots(glob)) {
    std::set<std::string> here;  // the names one level below `prefix`
    for (const std::string& n : names) {
      if (n.compare(0, prefix.size(), prefix) == 0 && n.size() > prefix.size()) {
        here.insert(n.substr(prefix.size(), n.find('.', prefix.size()) - prefix.size()));
      }
    }
    std::string fixed;
    for (const std::string& h : here) {
      if (fnmatch(part.c_str(), h.c_str(), 0) == 0) {
        fixed = part;
        break;
      }
    }
    if (fixed.empty()) {
      fixed = did_you_mean(part, std::vector<std::string>(here.begin(), here.end()));
      if (fixed.empty()) {
        return "";
      }
    }
    out += (out.empty() ? "" : ".") + fixed;
    // A wildcard part stands for every name it matches: keep its first match as the prefix.
    std::string next = fixed;
    for (const std::string& h : here) {
      if (fnmatch(fixed.c_str(), h.c_str(), 0) == 0) {
        next = h;
        break;
      }
    }
    prefix += next + ".";
  }
  return out;
}

}  // namespace

Tracer::Tracer(const TraceConfig& cfg, const std::string& vcd_path)
    : globs_(cfg.scopes),
      start_cycle_(cfg.start_cycle),
      end_cycle_(cfg.end_cycle),
      path_(strip_vcd(vcd_path) + ".vcd") {}

Tracer::~Tracer() { close(); }

bool Tracer::wants(const std::string& full_name) const {
  traceable_.insert(full_name);
  if (globs_.empty()) {
    return true;
  }
  for (const std::string& g : globs_) {
    for (const std::string& scope : name_and_scopes(full_name)) {
      if (fnmatch(g.c_str(), scope.c_str(), 0) == 0) {
        return true;
      }
    }
  }
  return false;
}

void Tracer::check_scopes() const {
  // Every traceable name and enclosing scope, and the scopes with digit runs as globs, which
  // is how a user names one PE row ("accelerator.array.pe_3_*").
  std::set<std::string> scopes;
  for (const std::string& name : traceable_) {
    for (const std::string& s : name_and_scopes(name)) {
      scopes.insert(s);
      scopes.insert(digits_to_glob(s));
    }
  }
  for (const std::string& g : globs_) {
    bool matched = false;
    for (const std::string& s : scopes) {
      if (s.find('*') == std::string::npos && fnmatch(g.c_str(), s.c_str(), 0) == 0) {
        matched = true;
        break;
      }
    }
    if (matched) {
      continue;
    }
    // The listing: the scopes two levels down ("accelerator.controller"), and below them one
    // line per name pattern, with how many it stands for ("accelerator.array.pe_*_* (256)").
    std::map<std::string, std::set<std::string>> children;
    for (const std::string& name : traceable_) {
      const std::vector<std::string> up = name_and_scopes(name);
      const std::string& top = up.size() >= 2 ? up[up.size() - 2] : up.back();
      if (up.size() > 2) {
        children[top].insert(up[up.size() - 3]);
      } else {
        children[top];
      }
    }
    std::string listing;
    for (const auto& [top, kids] : children) {
      listing += "\n  " + top;
      std::map<std::string, int> patterns;
      for (const std::string& k : kids) {
        ++patterns[digits_to_glob(k)];
      }
      if (patterns.size() == 1 && patterns.begin()->second > 1) {
        listing +=
            ", " + patterns.begin()->first + " (" + std::to_string(patterns.begin()->second) + ")";
      }
    }
    std::string hint = corrected_glob(g, traceable_);
    if (hint.empty() || hint == g) {
      hint = did_you_mean(g, std::vector<std::string>(scopes.begin(), scopes.end()));
    }
    throw ConfigError("output.trace.scopes: '" + g + "' matches no traced signal" +
                      (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                      "; the traced scopes are:" + listing);
  }
}

void Tracer::open() {
  file_ = sc_core::sc_create_vcd_trace_file(strip_vcd(path_).c_str());
  // One VCD time unit per picosecond keeps every clock edge on an integer time stamp. SystemC
  // announces that choice as info I703 on the terminal; the unit is in the VCD header already.
  // The message type is the text SystemC defines for SC_ID_TRACING_TIMESCALE_UNIT_
  // (sysc/tracing/sc_tracing_ids.h), which its public headers do not export.
  sc_core::sc_report_handler::set_actions("tracing timescale unit set", sc_core::SC_DO_NOTHING);
  file_->set_time_unit(1, sc_core::SC_PS);
  for (const auto& r : registrations_) {
    r(file_);
  }
  written_.push_back(path_);
}

void Tracer::close() {
  if (file_ == nullptr) {
    closed_ = true;  // a window that starts after the run: no file at all
    return;
  }
  // SystemC writes the current time as the file's last time stamp when it closes the file.
  const auto end_ps =
      static_cast<uint64_t>(std::llround(sc_core::sc_time_stamp().to_seconds() * 1e12));
  sc_core::sc_close_vcd_trace_file(file_);
  file_ = nullptr;
  closed_ = true;
  write_save_file(end_ps);
}

void Tracer::set_clock_period(const sc_core::sc_time& period) {
  period_ps_ = static_cast<uint64_t>(std::llround(period.to_seconds() * 1e12));
}

std::string Tracer::save_file_path() const { return strip_vcd(path_) + ".gtkw"; }

void Tracer::write_save_file(uint64_t end_ps) {
  namespace fs = std::filesystem;
  const fs::path vcd = fs::absolute(path_);
  const std::string stem = strip_vcd(vcd.string());
  std::vector<const TraceSignal*> shown;
  std::vector<std::string> groups;  // label of the group a shown signal opens, or ""
  std::string group;
  for (const std::string& v : view_) {
    if (!v.empty() && v.back() == '.') {
      group = v.substr(0, v.size() - 1);
      continue;
    }
    for (const TraceSignal& s : signals_) {
      if (s.name == v) {
        shown.push_back(&s);
        groups.push_back(group);
        group.clear();
        break;
      }
    }
  }
  if (shown.empty()) {
    // None of the view was selected: show what was, in registration order.
    for (size_t i = 0; i < signals_.size() && i < 64; ++i) {
      shown.push_back(&signals_[i]);
      groups.emplace_back();
    }
  }
  const uint64_t start_ps = start_cycle_ * period_ps_;
  const uint64_t span = end_ps > start_ps ? end_ps - start_ps : 1;
  // GTKWave 3.3 shows 2^-z / 200 time units per pixel at zoom z (measured: its own save file
  // after setZoomRangeTimes); a 1400-pixel window has about 730 pixels of wave area, and GTKWave
  // starts the view at 0 instead of [timestart] when the view would reach past the end, so the view
  // is made slightly narrower than the window.
  const double zoom = -std::log2(double(span) * 200.0 / 760.0);
  std::ofstream f(save_file_path());
  f << "[*] GTKWave save file written by safsim beside " << vcd.filename().string() << "\n"
    << "[dumpfile] \"" << vcd.string() << "\"\n"
    << "[savefile] \"" << stem << ".gtkw\"\n"
    << "[timestart] " << start_ps << "\n"
    << "[size] 1400 1000\n"
    << "[pos] -1 -1\n"
    << "*" << zoom << " " << start_ps
    << " -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1\n"
    << "[sst_width] 220\n"
    << "[signals_width] 360\n"
    << "[sst_expanded] 1\n"
    << "[sst_vpaned_height] 250\n";
  int filters = 0;
  for (size_t i = 0; i < shown.size(); ++i) {
    const TraceSignal& s = *shown[i];
    if (!groups[i].empty()) {
      f << "@" << std::hex << kBlank << std::dec << "\n-" << groups[i] << "\n";
    }
    if (!s.value_names.empty()) {
      // A translate file: one "value name" line per value, in the radix the trace is shown in.
      std::string leaf = s.name.substr(s.name.rfind('.') + 1);
      const std::string filter = stem + "." + leaf + ".filter";
      std::ofstream t(filter);
      for (size_t v = 0; v < s.value_names.size(); ++v) {
        t << v << " " << s.value_names[v] << "\n";
      }
      written_.push_back(filter);
      f << "^" << ++filters << " " << filter << "\n";
    }
    f << "@" << std::hex << gtkw_flags(s) << std::dec << "\n";
    // SystemC puts every signal in one top scope, "SystemC".
    f << "SystemC." << s.name
      << (s.width > 1 && !s.is_real ? "[" + std::to_string(s.width - 1) + ":0]" : "") << "\n";
  }
  written_.push_back(save_file_path());
}

}  // namespace safsim
