// Runs a planned sweep: output directory and journal (resume), trials spread over MPI ranks and
// threads, progress, interrupts, and the result files once every trial is done.
#pragma once

#include <cstdint>
#include <string>

#include "sim/sweep/mpi_transport.h"
#include "sim/sweep/plan.h"

namespace safsim {

struct SweepOptions {
  std::string out_dir;
  int threads = 0;         // per process; 0 = the node's cores / the ranks on the node
  bool resume = false;     // continue DIR/journal.jsonl
  bool repair = false;     // with resume: first drop the journal's lines that are not records
  std::string safsim_exe;  // the safsim binary, for cycle-engine trials (child processes)
  bool show_progress = true;
  bool confirmed = false;  // --yes: start even above kConfirmTrialImages (sim/sweep/size.h)
};

struct SweepOutcome {
  bool complete = false;     // every trial is done and the result files are written
  bool interrupted = false;  // stopped by SIGINT/SIGTERM; resume with --resume
  int64_t trials = 0;        // in the sweep
  int64_t from_journal = 0;  // already done before this run (resume)
  int64_t ran = 0;           // finished by this run, all ranks
  int64_t trial_images = 0;  // images inferred by this run's trials, all ranks
  int64_t memo_hits = 0;     // trials whose accuracy came from an identical earlier engine run
  double seconds = 0;        // wall time of this run (workload preparation included)
  int threads = 0;           // worker threads per rank
  int ranks = 1;
  std::string wrote;  // rank 0, complete: "wrote DIR: results.csv, ..." (sim/written_files.h)
};

/// Runs every trial of `plan` that DIR's journal does not hold yet, then (rank 0) writes
/// results.csv, aggregate.csv, summary.json, sweep.resolved.yaml and timing.json. Throws
/// UserError when DIR already holds a journal and `resume` is false, or the journal belongs to
/// another sweep, or a trial fails, or the sweep starts (DIR holds no journal) with more
/// trial-images than kConfirmTrialImages and `confirmed` is false. With `repair`, a journal's
/// corrupt lines are dropped first (repair_journal(), reported on stderr) and their trials rerun.
///   MpiTransport mpi;
///   SweepOutcome r = run_sweep(plan_sweep(load_sweep(path)), {"out/x"}, mpi);
SweepOutcome run_sweep(const SweepPlan& plan, const SweepOptions& options, MpiTransport& mpi);

}  // namespace safsim
