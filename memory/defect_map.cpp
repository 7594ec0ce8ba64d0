// DefectMap storage, counts and its text file format.
#include "memory/defect_map.h"

#include <fmt/format.h>

#include <bitset>
#include <cstdio>
#include <fstream>
#include <istream>
#include <map>
#include <ostream>
#include <sstream>

#include "base/input_files.h"
#include "base/output_files.h"

namespace safsim {
namespace {

constexpr const char* kMagic = "safsim-defect-map";
constexpr int kVersion = 1;

/// FNV-1a over the defect triples, the checksum stored in the header.
class Checksum {
 public:
  void add(uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      h_ ^= (v >> (8 * i)) & 0xFF;
      h_ *= 0x100000001B3ull;
    }
  }
  uint64_t value() const { return h_; }

 private:
  uint64_t h_ = 0xCBF29CE484222325ull;
};

uint64_t checksum_of(const DefectMap& m) {
  Checksum c;
  for (int64_t w = 0; w < m.words(); ++w) {
    const StuckBits s = m.at(w);
    for (int b = 0; b < 32; ++b) {
      if ((s.mask >> b) & 1u) {
        c.add(uint64_t(w));
        c.add(uint64_t(b));
        c.add((s.values >> b) & 1u);
      }
    }
  }
  return c.value();
}

/// Line-by-line reader that knows where it is, for "source:line: what" errors.
class LineReader {
 public:
  LineReader(std::istream& in, const std::string& source) : in_(in), source_(source) {}

  /// Next non-empty, non-comment line; false at end of file.
  bool next(std::string& line) {
    while (std::getline(in_, line)) {
      ++line_no_;
      if (!line.empty() && line.back() == '\r') {
        line.pop_back();
      }
      if (!line.empty() && line[0] != '#') {
        return true;
      }
    }
    return false;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw DefectMapError(fmt::format("{}:{}: {}", source_, line_no_, what));
  }
  /// Reads the header line `key value`, whose value must be an integer in [lo, hi].
  int64_t header(const char* key, int64_t lo, int64_t hi) {
    std::string line;
    if (!next(line)) {
      fail(fmt::format("defect map ends before header key '{}'", key));
    }
    std::istringstream ls(line);
    std::string name;
    std::string text;
    ls >> name >> text;
    if (name != key) {
      fail(fmt::format("expected header key '{}', got '{}'", key, line));
    }
    return parse_int(text, lo, hi, key);
  }
  /// Reads the header line `key value` with an unsigned 64-bit value.
  uint64_t header_u64(const char* key) {
    std::string line;
    if (!next(line)) {
      fail(fmt::format("defect map ends before header key '{}'", key));
    }
    std::istringstream ls(line);
    std::string name;
    std::string text;
    ls >> name >> text;
    size_t used = 0;
    uint64_t v = 0;
    try {
      v = std::stoull(text, &used, 10);
    } catch (const std::exception&) {
      used = 0;
    }
    if (name != key || text.empty() || text[0] == '-' || used != text.size()) {
      fail(fmt::format("expected header '{} <unsigned integer>', got '{}'", key, line));
    }
    return v;
  }
  int64_t parse_int(const std::string& text, int64_t lo, int64_t hi, const char* what) const {
    size_t used = 0;
    long long v = 0;
    try {
      v = std::stoll(text, &used, 10);  // decimal only: "010" is ten, not eight
    } catch (const std::exception&) {
      used = 0;
    }
    if (text.empty() || used != text.size() || v < lo || v > hi) {
      fail(fmt::format("{} must be an integer in [{}, {}], got '{}'", what, lo, hi, text));
    }
    return v;
  }

 private:
  std::istream& in_;
  const std::string& source_;
  int line_no_ = 0;
};

}  // namespace

BankGeometry geometry_for_words(int64_t words, int word_bits, int words_per_row) {
  BankGeometry g;
  g.banks = 1;
  g.words_per_row = words_per_row < 1 ? 1 : words_per_row;
  g.word_bits = word_bits;
  g.rows_per_bank = words <= 0 ? 1 : (words + g.words_per_row - 1) / g.words_per_row;
  return g;
}

DefectMap::DefectMap(const BankGeometry& geometry, uint64_t seed, uint64_t trial)
    : geometry_(geometry),
      seed_(seed),
      trial_(trial),
      mask_(size_t(geometry.words()), 0u),
      values_(size_t(geometry.words()), 0u) {}

void DefectMap::set(int64_t word, StuckBits s) {
  mask_[size_t(word)] = s.mask;
  values_[size_t(word)] = s.values & s.mask;
}

bool DefectMap::add_stuck_cell(int64_t word, int bit, bool value) {
  const uint32_t b = 1u << bit;
  uint32_t& m = mask_[size_t(word)];
  if (m & b) {
    return false;
  }
  m |= b;
  if (value) {
    values_[size_t(word)] |= b;
  }
  return true;
}

int64_t DefectMap::defective_cells() const {
  int64_t n = 0;
  for (const uint32_t m : mask_) {
    n += std::bitset<32>(m).count();
  }
  return n;
}

int64_t DefectMap::stuck_at_one_cells() const {
  int64_t n = 0;
  for (size_t i = 0; i < mask_.size(); ++i) {
    n += std::bitset<32>(mask_[i] & values_[i]).count();
  }
  return n;
}

bool DefectMap::operator==(const DefectMap& o) const {
  return geometry_ == o.geometry_ && seed_ == o.seed_ && trial_ == o.trial_ && mask_ == o.mask_ &&
         values_ == o.values_;
}

void write_defect_map(std::ostream& out, const DefectMap& m) {
  const BankGeometry& g = m.geometry();
  out << kMagic << ' ' << kVersion << '\n'
      << "banks " << g.banks << '\n'
      << "rows_per_bank " << g.rows_per_bank << '\n'
      << "words_per_row " << g.words_per_row << '\n'
      << "word_bits " << g.word_bits << '\n'
      << "seed " << m.seed() << '\n'
      << "trial " << m.trial() << '\n'
      << "defects " << m.defective_cells() << '\n'
      << fmt::format("checksum 0x{:016x}\n", checksum_of(m)) << "# word bit value\n";
  for (int64_t w = 0; w < m.words(); ++w) {
    const StuckBits s = m.at(w);
    for (int b = 0; b < g.word_bits; ++b) {
      if ((s.mask >> b) & 1u) {
        out << w << ' ' << b << ' ' << ((s.values >> b) & 1u) << '\n';
      }
    }
  }
}

DefectMap read_defect_map(std::istream& in, const std::string& source_name) {
  LineReader r(in, source_name);
  std::string line;
  if (!r.next(line) || line.rfind(kMagic, 0) != 0) {
    r.fail(fmt::format("not a defect map (first line must be '{} {}')", kMagic, kVersion));
  }
  if (line != fmt::format("{} {}", kMagic, kVersion)) {
    r.fail(fmt::format("unsupported defect-map version '{}' (this safsim reads version {})", line,
                       kVersion));
  }
  BankGeometry g;
  g.banks = int(r.header("banks", 1, 1 << 20));
  g.rows_per_bank = r.header("rows_per_bank", 1, int64_t{1} << 40);
  g.words_per_row = int(r.header("words_per_row", 1, 1 << 20));
  g.word_bits = int(r.header("word_bits", 1, 32));
  // Checked before the map is allocated (8 bytes a word): a few header bytes must not be able
  // to claim gigabytes (docs/limits.md).
  if (g.words() > kMaxDefectMapWords) {
    r.fail(fmt::format("geometry of {} words is larger than the {} words a defect map may have",
                       g.words(), kMaxDefectMapWords));
  }
  const auto seed = r.header_u64("seed");
  const auto trial = r.header_u64("trial");
  const int64_t defects = r.header("defects", 0, g.cells());
  std::string cs_line;
  if (!r.next(cs_line) || cs_line.rfind("checksum ", 0) != 0) {
    r.fail("expected header key 'checksum'");
  }
  const std::string cs_text = cs_line.substr(9);
  uint64_t checksum = 0;
  try {
    size_t used = 0;
    checksum = std::stoull(cs_text, &used, 16);
    if (used != cs_text.size()) {
      r.fail(fmt::format("checksum must be hexadecimal, got '{}'", cs_text));
    }
  } catch (const std::logic_error&) {
    r.fail(fmt::format("checksum must be hexadecimal, got '{}'", cs_text));
  }
  DefectMap m(g, seed, trial);
  int64_t read = 0;
  while (r.next(line)) {
    std::istringstream ls(line);
    std::string w_text, b_text, v_text, extra;
    if (!(ls >> w_text >> b_text >> v_text) || (ls >> extra)) {
      r.fail(fmt::format("expected 'word bit value', got '{}'", line));
    }
    const int64_t w = r.parse_int(w_text, 0, g.words() - 1, "word address");
    const int64_t b = r.parse_int(b_text, 0, g.word_bits - 1, "bit");
    const int64_t v = r.parse_int(v_text, 0, 1, "stuck value");
    if (!m.add_stuck_cell(w, int(b), v != 0)) {
      r.fail(fmt::format("cell (word {}, bit {}) is listed twice", w, b));
    }
    ++read;
  }
  if (read != defects) {
    r.fail(fmt::format("header says {} defects, file lists {} (truncated?)", defects, read));
  }
  if (checksum_of(m) != checksum) {
    r.fail(fmt::format("checksum mismatch: header 0x{:016x}, contents 0x{:016x} (corrupt file)",
                       checksum, checksum_of(m)));
  }
  return m;
}

void save_defect_map(const DefectMap& m, const std::string& path) {
  std::ostringstream out;
  write_defect_map(out, m);
  write_file_atomic(path, out.str());
}

DefectMap load_defect_map(const std::string& path) {
  const InputFile f = read_input_file(path);
  if (!f.problem.empty()) {
    throw DefectMapError(fmt::format("{}: cannot open defect map: {}", path, f.problem));
  }
  std::istringstream in(f.bytes);
  return read_defect_map(in, path);
}

void check_defect_map_fits(const DefectMap& m, const BankGeometry& memory,
                           const std::string& source_name) {
  const BankGeometry& g = m.geometry();
  if (g != memory) {
    throw DefectMapError(fmt::format(
        "{}: defect map is for {} bank(s) x {} rows x {} words of {} bits, but the memory is {} "
        "bank(s) x {} rows x {} words of {} bits",
        source_name, g.banks, g.rows_per_bank, g.words_per_row, g.word_bits, memory.banks,
        memory.rows_per_bank, memory.words_per_row, memory.word_bits));
  }
}

}  // namespace safsim
