// The sweep journal, DIR/journal.jsonl: one JSON line per finished trial, flushed and fsync'd as
// it finishes, so a crash or Ctrl-C loses no finished trial and --resume runs only the rest.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/sweep/inputs.h"
#include "sim/sweep/plan.h"

namespace safsim {

/// One finished trial. Metrics are in SweepPlan::metrics order, at full double precision.
struct TrialRecord {
  int point = 0;
  int trial = 0;
  uint64_t seed = 0;
  std::vector<double> metrics;
};

/// The JSON line of a record (no newline); also the MPI message that carries it to rank 0.
std::string record_json(const SweepPlan& plan, const TrialRecord& r);
/// Parses and checks a record line against the plan; throws UserError naming `where`.
TrialRecord parse_record(const SweepPlan& plan, const std::string& line, const std::string& where);

/// What a journal holds: its records (first occurrence of each trial) and the byte length of
/// its complete lines (a truncated last line, from a kill mid-write, is not counted).
struct JournalContents {
  std::vector<TrialRecord> records;
  int64_t complete_bytes = 0;
  bool truncated_tail = false;
};

/// Reads `path` (missing file: empty contents). Throws UserError when the header belongs to a
/// different sweep, names an input file whose content differs from `inputs` (sweep_inputs():
/// the files as they are now), or a complete line is not a record of this plan (the message
/// then points to repair_journal(): `--resume --repair`).
JournalContents read_journal(const std::string& path, const SweepPlan& plan,
                             const std::vector<SweepInput>& inputs);

/// What repair_journal() found and did. Line numbers count from 1, the header being line 1.
struct JournalRepair {
  struct Dropped {
    int64_t line = 0;
    std::string why;  // parse_record()'s reason
  };
  std::vector<Dropped> dropped;  // complete lines that are not records of this sweep
  int64_t tail_line = 0;         // an incomplete last line (no newline): its number, 0 if none
  int64_t tail_bytes = 0;
  int64_t kept = 0;        // record lines kept, as they were
  bool rewritten = false;  // false: every line was a record, the file is untouched
};

/// Keeps the header and every line that is a record of `plan`, drops every other line (and an
/// incomplete last line), and rewrites the journal atomically: a uniquely named temporary file
/// beside it, fsync'd, renamed over it (removed if anything fails). The dropped lines' trials
/// are then simply missing, so a resume runs them again. Throws UserError, as read_journal(),
/// when the header is not this sweep's: a journal is repaired only into one of its own sweep.
///   JournalRepair r = repair_journal(dir + "/journal.jsonl", plan, sweep_inputs(plan));
JournalRepair repair_journal(const std::string& path, const SweepPlan& plan,
                             const std::vector<SweepInput>& inputs);

/// What a repair dropped, for the user: counts, every dropped line number (as ranges) and the
/// first reasons, one per line.
std::string describe_repair(const std::string& path, const JournalRepair& r);

/// Appends records to the journal. Opening cuts a truncated tail (so the next line starts on
/// a line boundary) and writes the header, with the content hashes of `inputs`, to a new or
/// empty file.
///   SweepJournal j(dir + "/journal.jsonl", plan, sweep_inputs(plan), contents.complete_bytes);
///   j.append({record});   // one write() and one fsync() for the batch
class SweepJournal {
 public:
  SweepJournal(const std::string& path, const SweepPlan& plan,
               const std::vector<SweepInput>& inputs, int64_t keep_bytes);
  ~SweepJournal();
  SweepJournal(const SweepJournal&) = delete;
  SweepJournal& operator=(const SweepJournal&) = delete;

  void append(const std::vector<TrialRecord>& records);

 private:
  void write_all(const std::string& text);

  std::string path_;
  const SweepPlan& plan_;
  int fd_ = -1;
};

}  // namespace safsim
