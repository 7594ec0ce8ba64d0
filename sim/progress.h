// Progress of a long command on stderr (done/total, rate, ETA): a line redrawn in place on a
// terminal; in a log, plain lines every ~5 s or 10% (a sweep, so batch jobs show they live) or
// nothing (eval, select, analyze, so their logs and the tests stay clean unless asked).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace safsim {

enum class ProgressStyle {
  kNone,
  kRedrawn,     // "\r[####....] 17/840 trials (2%), 3.10 trials/s, ETA 4:25", a terminal's
  kPlainLines,  // "sweep: 17/840 trials (2%), ...", one line every ~5 s or 10%
};

/// The style a command shows: `asked` is --progress (true) or --no-progress (false), else
/// unset; unasked, a redrawn line when stderr is a terminal and `in_logs` otherwise. Asked on
/// a non-terminal, plain lines (a "\r" would pile up in a log).
ProgressStyle progress_style(std::optional<bool> asked, ProgressStyle in_logs);

///   ProgressLine p("sweep", "trials", /*total=*/840, /*already_done=*/0,
///                  progress_style(std::nullopt, ProgressStyle::kPlainLines));
///   p.update(17);   // after each batch of finished trials
///   p.finish();
class ProgressLine {
 public:
  /// `already_done` units come from an earlier run (a sweep's journal); the rate counts only
  /// new ones. `label` starts the plain lines, `unit` names what is counted.
  ProgressLine(std::string label, std::string unit, int64_t total, int64_t already_done,
               ProgressStyle style, std::FILE* out = stderr);

  void update(int64_t done);
  void add(int64_t more) { update(done_ + more); }
  /// Ends the redrawn line or prints the final plain line; nothing if nothing was shown.
  void finish();
  /// Units finished in this process per second, so far.
  double rate_per_s() const;

 private:
  void draw(bool final_line);

  std::string label_;
  std::string unit_;
  int64_t total_;
  int64_t start_done_;
  int64_t done_;
  ProgressStyle style_;
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  int64_t last_printed_done_;
  bool drawn_ = false;
};

/// "1:02:03" or "4:05" for a number of seconds.
std::string format_duration(double seconds);

}  // namespace safsim
