// DefectMap: the stuck-bits rule, file round trip, and clear errors for corrupt or misfit maps.
#include <catch2/catch.hpp>
#include <cstdio>
#include <sstream>

#include "memory/defect_map.h"
#include "memory/fault_model.h"

namespace safsim {
namespace {

DefectMap sample_map() {
  FaultModelSpec s;
  s.rate = 0.05;
  FaultTarget t;
  t.geometry = {2, 16, 8, 9};
  DefectMap m = make_fault_model(s)->draw(t, RandomStream(3, 1, "weight_stuck_at")).defects;
  m.set_origin(3, 1);
  return m;
}

std::string text_of(const DefectMap& m) {
  std::ostringstream out;
  write_defect_map(out, m);
  return out.str();
}

DefectMap parse(const std::string& text) {
  std::istringstream in(text);
  return read_defect_map(in, "map.txt");
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("stuck bits win over written bits", "[faults]") {
  CHECK(apply_stuck_bits(0b1010, 0b0011, 0b0001) == 0b1001);
  CHECK(apply_stuck_bits(0xFF, {0x0F, 0x00}) == 0xF0);
  CHECK(apply_stuck_bits(0x00, {0x0F, 0xFF}) == 0x0F);  // values outside the mask are ignored
}

TEST_CASE("defect map save / load round trip", "[faults]") {
  const DefectMap m = sample_map();
  REQUIRE(m.defective_cells() > 20);
  CHECK(parse(text_of(m)) == m);
  const std::string path = "test_defect_map_roundtrip.txt";
  save_defect_map(m, path);
  CHECK(load_defect_map(path) == m);
  std::remove(path.c_str());
}

TEST_CASE("corrupt defect maps are clear errors with the line", "[faults]") {
  const std::string good = text_of(sample_map());
  CHECK_THROWS_WITH(parse("hello\n"), Catch::Contains("map.txt:1: not a defect map"));
  CHECK_THROWS_WITH(parse(replace(good, "word_bits 9", "word_bits x")),
                    Catch::Contains("map.txt:5: word_bits must be an integer"));
  CHECK_THROWS_WITH(parse(replace(good, "banks 2", "bank 2")),
                    Catch::Contains("map.txt:2: expected header key 'banks'"));
  // Flip one stuck value: the checksum catches it.
  const size_t first = good.find("# word bit value\n") + 17;
  const size_t eol = good.find('\n', first);
  std::string flipped = good;
  flipped[eol - 1] = flipped[eol - 1] == '0' ? '1' : '0';
  CHECK_THROWS_WITH(parse(flipped), Catch::Contains("checksum mismatch"));
  // A truncated file has fewer lines than its header says.
  CHECK_THROWS_WITH(parse(good.substr(0, eol + 1)), Catch::Contains("(truncated?)"));
  CHECK_THROWS_WITH(parse(good + "999999 0 1\n"), Catch::Contains("word address must be"));
  CHECK_THROWS_WITH(parse(good + "0 9 1\n"), Catch::Contains("bit must be an integer in [0, 8]"));
  CHECK_THROWS_WITH(parse(good + "0 1 1 7\n"), Catch::Contains("expected 'word bit value'"));
  CHECK_THROWS_AS(load_defect_map("/nonexistent/map.txt"), DefectMapError);
}

TEST_CASE("a defect map for another memory does not fit", "[faults]") {
  const DefectMap m = sample_map();
  CHECK_NOTHROW(check_defect_map_fits(m, {2, 16, 8, 9}, "map.txt"));
  CHECK_THROWS_AS(check_defect_map_fits(m, {2, 16, 8, 8}, "map.txt"), DefectMapError);
  CHECK_THROWS_WITH(check_defect_map_fits(m, {1, 16, 8, 9}, "map.txt"),
                    Catch::Contains("map.txt: defect map is for 2 bank(s)"));
}

}  // namespace safsim

namespace safsim {

TEST_CASE("a defect-map header claiming 2^31 words is refused before anything is allocated",
          "[faults][limits]") {
  const std::string huge =
      "safsim-defect-map 1\nbanks 1\nrows_per_bank 2147483648\nwords_per_row 1\nword_bits 8\n"
      "seed 1\ntrial 0\ndefects 0\nchecksum 0\n";
  CHECK_THROWS_WITH(parse(huge), Catch::Contains("geometry of 2147483648 words is larger than "
                                                 "the 268435456 words"));
}

TEST_CASE("defect-map numbers are decimal: hex is refused, a leading zero is not octal",
          "[faults][limits]") {
  const std::string good = text_of(sample_map());
  const size_t first = good.find("# word bit value\n") + 17;
  const std::string line = good.substr(first, good.find('\n', first) - first);
  CHECK_THROWS_WITH(parse(replace(good, line, "0x" + line)),
                    Catch::Contains("word address must be an integer"));
  // "0123" is 123, the same word: the map still loads and equals the original.
  CHECK(parse(replace(good, line, "0" + line)) == parse(good));
}

}  // namespace safsim
