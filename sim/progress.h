// Progress of a sweep on stderr: a redrawn bar (done/total, rate, ETA) when stderr is a
// terminal, plain lines every ~5 s or 10% otherwise (logs of batch jobs stay readable).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace safsim {

///   SweepProgress p(/*total=*/840, /*already_done=*/0);
///   p.update(17);   // after each batch of finished trials
///   p.finish();
class SweepProgress {
 public:
  /// `already_done` trials come from the journal (resume); the rate counts only new ones.
  SweepProgress(int64_t total, int64_t already_done, bool tty, std::FILE* out = stderr);
  /// Detects whether stderr is a terminal.
  SweepProgress(int64_t total, int64_t already_done);

  void update(int64_t done);
  /// Ends the bar's line (terminal) or prints the final plain line.
  void finish();
  /// Trials finished in this process per second, so far.
  double rate_per_s() const;

 private:
  void draw(bool final_line);

  int64_t total_;
  int64_t start_done_;
  int64_t done_;
  bool tty_;
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  int64_t last_printed_done_;
};

/// "1:02:03" or "4:05" for a number of seconds.
std::string format_duration(double seconds);

}  // namespace safsim
