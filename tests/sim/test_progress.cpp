// Progress lines: nothing unless shown, plain lines in logs, a line redrawn in place on a
// terminal, each naming the command and what it counts.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "sim/progress.h"

namespace safsim {
namespace {

/// What `p` printed into `f` so far.
std::string contents(std::FILE* f) {
  std::fflush(f);
  std::string s(size_t(std::ftell(f)), '\0');
  std::rewind(f);
  s.resize(std::fread(s.data(), 1, s.size(), f));
  return s;
}

}  // namespace

TEST_CASE("a progress line shows nothing unless asked", "[progress]") {
  std::FILE* f = std::tmpfile();
  ProgressLine p("eval", "images", 128, 0, ProgressStyle::kNone, f);
  p.add(64);
  p.add(64);
  p.finish();
  CHECK(contents(f).empty());
  std::fclose(f);
}

TEST_CASE("plain progress lines name the command, the count, the rate and the ETA", "[progress]") {
  std::FILE* f = std::tmpfile();
  ProgressLine p("eval", "images", 128, 0, ProgressStyle::kPlainLines, f);
  p.add(64);  // another tenth: a line
  p.add(64);
  p.finish();  // the last count was printed already: no repeat
  const std::string s = contents(f);
  CHECK_THAT(s, Catch::StartsWith("eval: 64/128 images (50%), "));
  CHECK_THAT(s, Catch::Contains(" images/s, ETA "));
  CHECK_THAT(s, Catch::Contains("\neval: 128/128 images (100%), "));
  CHECK(std::count(s.begin(), s.end(), '\n') == 2);
  CHECK(s.find('\r') == std::string::npos);
  std::fclose(f);
}

TEST_CASE("a redrawn progress line starts with a carriage return and ends with a newline",
          "[progress]") {
  std::FILE* f = std::tmpfile();
  ProgressLine p("select: golden run", "images", 10, 0, ProgressStyle::kRedrawn, f);
  p.update(10);  // done: drawn at once
  p.finish();
  const std::string s = contents(f);
  CHECK_THAT(s, Catch::StartsWith("\rselect: golden run: [##############################] 10/10 "
                                  "images (100%)"));
  CHECK_THAT(s, Catch::EndsWith("\n"));
  std::fclose(f);
}

TEST_CASE("durations read as m:ss or h:mm:ss", "[progress]") {
  CHECK(format_duration(65) == "1:05");
  CHECK(format_duration(3723) == "1:02:03");
  CHECK(format_duration(-1) == "?");
}

}  // namespace safsim
