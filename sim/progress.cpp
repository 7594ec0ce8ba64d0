// Progress lines of long commands (progress.h).
#include "sim/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

namespace safsim {
namespace {

constexpr double kTtyRedrawSeconds = 0.2;
constexpr double kPlainLineSeconds = 5.0;
constexpr int kBarWidth = 30;

double seconds_between(std::chrono::steady_clock::time_point a,
                       std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) {
    return "?";
  }
  const auto s = int64_t(std::llround(seconds));
  if (s >= 3600) {
    return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  }
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

ProgressStyle progress_style(std::optional<bool> asked, ProgressStyle in_logs) {
  const bool tty = isatty(STDERR_FILENO) != 0;
  if (asked.has_value()) {
    return !*asked ? ProgressStyle::kNone
                   : (tty ? ProgressStyle::kRedrawn : ProgressStyle::kPlainLines);
  }
  return tty ? ProgressStyle::kRedrawn : in_logs;
}

ProgressLine::ProgressLine(std::string label, std::string unit, int64_t total, int64_t already_done,
                           ProgressStyle style, std::FILE* out)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      start_done_(already_done),
      done_(already_done),
      style_(style),
      out_(out),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_),
      last_printed_done_(already_done) {}

double ProgressLine::rate_per_s() const {
  const double elapsed = seconds_between(start_, std::chrono::steady_clock::now());
  return elapsed > 0 ? double(done_ - start_done_) / elapsed : 0.0;
}

void ProgressLine::update(int64_t done) {
  done_ = done;
  if (style_ == ProgressStyle::kNone) {
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  const double since = seconds_between(last_draw_, now);
  if (style_ == ProgressStyle::kRedrawn) {
    if (since >= kTtyRedrawSeconds || done_ == total_) {
      draw(false);
      last_draw_ = now;
    }
    return;
  }
  // Plain lines: every 5 s, or whenever another tenth is done.
  const int64_t tenth = std::max<int64_t>(1, total_ / 10);
  if (since >= kPlainLineSeconds || done_ / tenth > last_printed_done_ / tenth) {
    draw(false);
    last_draw_ = now;
    last_printed_done_ = done_;
  }
}

void ProgressLine::finish() {
  if (style_ != ProgressStyle::kNone && (drawn_ || style_ == ProgressStyle::kPlainLines)) {
    draw(true);
  }
}

void ProgressLine::draw(bool final_line) {
  drawn_ = true;
  const double rate = rate_per_s();
  const double eta = rate > 0 ? double(total_ - done_) / rate : NAN;
  const double share = total_ > 0 ? double(done_) / double(total_) : 1.0;
  const std::string figures =
      fmt::format("{}/{} {} ({:.0f}%), {:.2f} {}/s, ETA {}", done_, total_, unit_, 100 * share,
                  rate, unit_, done_ == total_ ? "0:00" : format_duration(eta));
  if (style_ == ProgressStyle::kRedrawn) {
    const int filled = int(share * kBarWidth);
    fmt::print(out_, "\r{}: [{}{}] {}\x1b[K{}", label_, std::string(size_t(filled), '#'),
               std::string(size_t(kBarWidth - filled), '.'), figures, final_line ? "\n" : "");
  } else if (!final_line || last_printed_done_ != done_) {
    fmt::print(out_, "{}: {}\n", label_, figures);
  }
  std::fflush(out_);
}

}  // namespace safsim
