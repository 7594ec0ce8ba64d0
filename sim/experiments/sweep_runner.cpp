// Sweep orchestration (sweep_runner.h). Rank 0 owns the directory, the journal and the result
// files; every rank (one, without MPI) runs its round-robin share of the pending trials on a
// TrialPool, and its main thread alone journals (rank 0) or forwards (other ranks) results.
#include "sim/experiments/sweep_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "sim/errors.h"
#include "sim/experiments/sweep_interrupt.h"
#include "sim/experiments/sweep_progress.h"
#include "sim/experiments/sweep_report.h"
#include "sim/experiments/trial_pool.h"
#include "sim/output_files.h"

namespace safsim {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPoll = std::chrono::milliseconds(100);

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// Rank 0: checks DIR and reads its journal (when resuming).
JournalContents open_directory(const SweepPlan& plan, const SweepOptions& o) {
  const std::string journal = o.out_dir + "/journal.jsonl";
  std::error_code ec;
  const bool has_journal =
      std::filesystem::exists(journal, ec) && std::filesystem::file_size(journal, ec) > 0;
  if (has_journal && !o.resume) {
    throw UserError(fmt::format(
        "'{}' already holds a sweep journal ({}); pass --resume to continue that sweep, or "
        "choose another --out directory",
        o.out_dir, journal));
  }
  ensure_directory(o.out_dir);
  return has_journal ? read_journal(journal, plan) : JournalContents{};
}

/// Trial ids (point * repeat + trial) the journal does not hold, in (point, trial) order.
std::vector<int64_t> pending_trials(const SweepPlan& plan, const JournalContents& j) {
  std::set<int64_t> done;
  for (const TrialRecord& r : j.records) {
    done.insert(int64_t(r.point) * plan.repeat + r.trial);
  }
  std::vector<int64_t> pending;
  for (int64_t id = 0; id < plan.trials(); ++id) {
    if (done.count(id) == 0) {
      pending.push_back(id);
    }
  }
  return pending;
}

/// Rank 0 decides what runs and tells every rank: "P id,id,..." or "E message".
std::vector<int64_t> agree_on_pending(const SweepPlan& plan, const SweepOptions& o,
                                      MpiTransport& mpi, JournalContents& journal) {
  std::string message;
  if (mpi.rank() == 0) {
    try {
      journal = open_directory(plan, o);
      message = "P";
      for (int64_t id : pending_trials(plan, journal)) {
        message += std::to_string(id) + ",";
      }
    } catch (const UserError& e) {
      message = std::string("E") + e.what();
    }
  }
  mpi.broadcast(message);
  if (message[0] == 'E') {
    throw UserError(message.substr(1));
  }
  std::vector<int64_t> ids;
  for (size_t begin = 1, comma; (comma = message.find(',', begin)) != std::string::npos;
       begin = comma + 1) {
    ids.push_back(std::stoll(message.substr(begin, comma - begin)));
  }
  return ids;
}

/// What the main loop saw.
struct LoopResult {
  std::vector<TrialRecord> new_records;  // rank 0: from every rank
  std::string error;
  int64_t remote_images = 0;
  bool interrupted = false;
};

/// The main thread while trials run: journal or forward results, poll ranks, show progress,
/// react to interrupts. Returns when this rank's trials (and on rank 0, every rank) are done.
LoopResult drive(const SweepPlan& plan, const SweepOptions& o, MpiTransport& mpi,
                 TrialPool& pool, SweepJournal* journal, int64_t already_done) {
  const bool root = mpi.rank() == 0;
  SweepInterrupt interrupt;
  SweepProgress progress(plan.trials(), already_done);
  LoopResult out;
  int done_ranks = 0;
  bool local_done_sent = false;
  const auto accept = [&](std::vector<TrialRecord> batch) {
    journal->append(batch);
    out.new_records.insert(out.new_records.end(), batch.begin(), batch.end());
  };
  while (true) {
    std::vector<TrialRecord> batch = pool.take(kPoll);
    if (root) {
      accept(std::move(batch));
      MpiTag tag;
      int source = 0;
      std::string msg;
      while (mpi.poll(tag, source, msg)) {
        if (tag == MpiTag::kResult) {
          accept({parse_record(plan, msg, fmt::format("result from rank {}", source))});
        } else if (tag == MpiTag::kDone) {
          ++done_ranks;
          out.remote_images += nlohmann::json::parse(msg).value("images", int64_t{0});
        } else if (out.error.empty()) {
          out.error = fmt::format("rank {}: {}", source, msg);
        }
      }
      if (o.show_progress) {
        progress.update(already_done + int64_t(out.new_records.size()));
      }
    } else {
      for (const TrialRecord& r : batch) {
        mpi.send_to_root(MpiTag::kResult, record_json(plan, r));
      }
    }
    if (interrupt.count() > 0 && !out.interrupted) {
      out.interrupted = true;
      pool.stop();
      if (root) {
        fmt::print(stderr, "\nsweep: interrupted; finishing the running trials (interrupt "
                           "again to stop at once)\n");
      }
    }
    if (interrupt.count() > 1) {
      fmt::print(stderr, "\nsweep: stopped; finished trials are in {}/journal.jsonl; continue "
                         "with: safsim sweep {} --out {} --resume\n",
                 o.out_dir, plan.sweep_path, o.out_dir);
      mpi.abort(130);
    }
    if (out.error.empty() && !out.interrupted) {
      out.error = pool.error();
    }
    if (!out.error.empty() && root && mpi.size() > 1) {
      fmt::print(stderr, "error: {}\n", out.error);
      mpi.abort(2);  // finished trials are journaled; the other ranks must not wait forever
    }
    if (pool.finished()) {
      if (!root && !local_done_sent) {
        if (!out.error.empty()) {
          mpi.send_to_root(MpiTag::kError, out.error);
        }
        mpi.send_to_root(MpiTag::kDone,
                         nlohmann::json{{"images", pool.trial_images()}}.dump());
        local_done_sent = true;
      }
      if (!root || done_ranks == mpi.size() - 1) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  if (root && o.show_progress) {
    progress.finish();
  }
  return out;
}

std::string timing_json(const SweepOutcome& r, double prepare_seconds) {
  const double trial_seconds = std::max(1e-9, r.seconds - prepare_seconds);
  nlohmann::ordered_json t;
  t["seconds"] = r.seconds;
  t["prepare_seconds"] = prepare_seconds;
  t["trials_run"] = r.ran;
  t["trial_images"] = r.trial_images;
  t["trials_per_s"] = double(r.ran) / trial_seconds;
  t["trial_images_per_s"] = double(r.trial_images) / trial_seconds;
  t["threads_per_rank"] = r.threads;
  t["ranks"] = r.ranks;
  return t.dump(2) + "\n";
}

}  // namespace

SweepOutcome run_sweep(const SweepPlan& plan, const SweepOptions& o, MpiTransport& mpi) {
  const auto t0 = Clock::now();
  SweepOutcome r;
  r.trials = plan.trials();
  r.ranks = mpi.size();
  JournalContents contents;
  const std::vector<int64_t> pending = agree_on_pending(plan, o, mpi, contents);
  r.from_journal = r.trials - int64_t(pending.size());
  std::vector<int64_t> mine;
  for (size_t k = size_t(mpi.rank()); k < pending.size(); k += size_t(mpi.size())) {
    mine.push_back(pending[k]);
  }
  const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  r.threads = o.threads > 0 ? o.threads : std::max(1, cores / mpi.ranks_on_node());
  // Fewer trials than threads: give each trial's engine the spare threads (same results).
  const int workers = int(std::min<size_t>(size_t(r.threads), mine.size()));
  TrialContext ctx;
  ctx.engine_threads = std::max(1, r.threads / std::max(1, workers));
  ctx.safsim_exe = o.safsim_exe;
  ctx.scratch_dir = o.out_dir + "/trials";
  if (mpi.rank() == 0) {
    fmt::print(stderr, "sweep {}: {} points x {} trials = {} trials, {} from the journal; {} "
                       "thread(s) x {} rank(s)\n",
               plan.name, plan.points.size(), plan.repeat, r.trials, r.from_journal, r.threads,
               r.ranks);
  }
  WorkloadCache cache;
  for (int64_t id : mine) {
    cache.prepare(plan.points[size_t(id / plan.repeat)].config, r.threads);
  }
  const double prepare_seconds = since(t0);
  std::unique_ptr<SweepJournal> journal;
  if (mpi.rank() == 0) {
    journal = std::make_unique<SweepJournal>(o.out_dir + "/journal.jsonl", plan,
                                             contents.complete_bytes);
  }
  LoopResult loop;
  {
    TrialPool pool(plan, cache, mine, workers, ctx);
    loop = drive(plan, o, mpi, pool, journal.get(), r.from_journal);
    r.trial_images = pool.trial_images() + loop.remote_images;
  }
  r.seconds = since(t0);
  r.interrupted = loop.interrupted;
  if (!loop.error.empty()) {
    throw UserError(loop.error);
  }
  if (mpi.rank() != 0) {
    return r;
  }
  r.ran = int64_t(loop.new_records.size());
  std::vector<TrialRecord> all = std::move(contents.records);
  all.insert(all.end(), loop.new_records.begin(), loop.new_records.end());
  std::sort(all.begin(), all.end(), [](const TrialRecord& a, const TrialRecord& b) {
    return std::make_pair(a.point, a.trial) < std::make_pair(b.point, b.trial);
  });
  write_file_atomic(o.out_dir + "/timing.json", timing_json(r, prepare_seconds));
  if (int64_t(all.size()) != r.trials) {
    fmt::print(stderr, "sweep: {} of {} trials done and journaled in {}/journal.jsonl; continue "
                       "with: safsim sweep {} --out {} --resume\n",
               all.size(), r.trials, o.out_dir, plan.sweep_path, o.out_dir);
    return r;
  }
  write_sweep_outputs(o.out_dir, plan, all);
  std::error_code ec;
  std::filesystem::remove_all(ctx.scratch_dir, ec);  // leftovers of cut-short cycle trials
  r.complete = true;
  return r;
}

}  // namespace safsim
