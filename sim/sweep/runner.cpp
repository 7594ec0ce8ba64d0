// Sweep orchestration (sweep_runner.h). Rank 0 owns the directory, the journal and the result
// files; every rank (one, without MPI) runs its round-robin share of the pending trials on a
// TrialPool, and its main thread alone journals (rank 0) or forwards (other ranks) results.
#include "sim/sweep/runner.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "base/errors.h"
#include "base/output_files.h"
#include "base/parallel.h"
#include "memory/deployment.h"
#include "sim/progress.h"
#include "sim/sweep/interrupt.h"
#include "sim/sweep/report.h"
#include "sim/sweep/size.h"
#include "sim/sweep/trial_pool.h"

namespace safsim {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPoll = std::chrono::milliseconds(100);

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// Rank 0: an exclusive lock on DIR while a sweep runs, so a second sweep on the same --out
/// stops at once instead of journaling into the first one's file. flock() is released when the
/// descriptor closes: at the end of the sweep, or by the kernel however the process ends.
class DirectoryLock {
 public:
  DirectoryLock() = default;
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;
  ~DirectoryLock() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }

  void lock(const std::string& dir) {
    const std::string path = dir + "/.sweep.lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      throw UserError(fmt::format("cannot create '{}': {}", path, std::strerror(errno)));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      ::close(fd);
      throw UserError(error == EWOULDBLOCK
                          ? fmt::format("another sweep is running in '{}' (it holds {}); wait "
                                        "for it or choose another --out directory",
                                        dir, path)
                          : fmt::format("cannot lock '{}': {}", path, std::strerror(error)));
    }
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

/// Rank 0: locks DIR, checks it and reads its journal (when resuming), refusing one whose input
/// files had other contents than `inputs`.
JournalContents open_directory(const SweepPlan& plan, const SweepOptions& o,
                               const std::vector<SweepInput>& inputs, DirectoryLock& lock) {
  const std::string journal = o.out_dir + "/journal.jsonl";
  const auto journal_exists = [&] {
    std::error_code ec;
    return std::filesystem::exists(journal, ec) && std::filesystem::file_size(journal, ec) > 0;
  };
  // A journal means the sweep was accepted when it started (its header is written after this
  // check), so only a sweep that starts now is sized; before DIR is created, so a refused sweep
  // leaves nothing behind.
  if (!o.confirmed && !journal_exists()) {
    check_sweep_size(plan);
  }
  ensure_directory(o.out_dir);
  lock.lock(o.out_dir);
  const bool has_journal = journal_exists();
  if (has_journal && !o.resume) {
    throw UserError(fmt::format(
        "'{}' already holds a sweep journal ({}); pass --resume to continue that sweep, or "
        "choose another --out directory",
        o.out_dir, journal));
  }
  if (has_journal && o.repair) {
    fmt::print(stderr, "sweep: {}\n",
               describe_repair(journal, repair_journal(journal, plan, inputs)));
  }
  return has_journal ? read_journal(journal, plan, inputs) : JournalContents{};
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
                                      MpiTransport& mpi, const std::vector<SweepInput>& inputs,
                                      JournalContents& journal, DirectoryLock& lock) {
  std::string message;
  if (mpi.rank() == 0) {
    try {
      journal = open_directory(plan, o, inputs, lock);
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

/// Deploys each point's first trial of this rank once, so that a bad combination (a SEC-DED
/// group too wide for the word, a defect map that does not fit) stops the sweep before any
/// trial is journaled. Returns the error, empty when every point deploys.
std::string preflight(const SweepPlan& plan, const WorkloadCache& cache,
                      const std::vector<int64_t>& mine) {
  std::set<int64_t> seen;
  for (int64_t id : mine) {
    if (!seen.insert(id / plan.repeat).second) {
      continue;
    }
    const SweepPoint p = plan.point(id / plan.repeat);
    try {
      require_labels_for(plan, cache.at(p.config));
      deploy(cache.at(p.config).workload.qmodel, p.config.faults, p.config.mitigation,
             trial_seed(plan.seed, int(id % plan.repeat)), /*trial=*/0, nullptr);
    } catch (const UserError& e) {
      return fmt::format("point {} ({}): {}", p.index, p.key, e.what());
    }
  }
  return "";
}

/// What the main loop saw.
struct LoopResult {
  std::vector<TrialRecord> new_records;  // rank 0: from every rank
  std::string error;
  int64_t remote_images = 0;
  int64_t remote_memo_hits = 0;
  bool interrupted = false;
};

/// The main thread while trials run: journal (rank 0) or forward (other ranks) results, poll
/// the ranks, show progress, react to interrupts and errors.
class MainLoop {
 public:
  MainLoop(const SweepPlan& plan, const SweepOptions& o, MpiTransport& mpi, TrialPool& pool,
           const WorkloadCache& cache, SweepJournal* journal, int64_t already_done)
      : plan_(plan),
        o_(o),
        mpi_(mpi),
        pool_(pool),
        cache_(cache),
        journal_(journal),
        already_done_(already_done),
        progress_("sweep", "trials", plan.trials(), already_done,
                  progress_style(std::nullopt, ProgressStyle::kPlainLines)) {}

  /// Returns when this rank's trials (and on rank 0, every rank's) are done or stopped.
  LoopResult run(const std::string& preflight_error) {
    out_.error = preflight_error;
    while (true) {
      std::vector<TrialRecord> batch = pool_.take(kPoll);
      if (root()) {
        accept(std::move(batch));
        poll_ranks();
        if (o_.show_progress) {
          progress_.update(already_done_ + int64_t(out_.new_records.size()));
        }
      } else {
        for (const TrialRecord& r : batch) {
          mpi_.send_to_root(MpiTag::kResult, record_json(plan_, r));
        }
      }
      check_interrupts();
      check_errors();
      if (pool_.finished() && rank_done()) {
        break;
      }
    }
    if (root() && o_.show_progress) {
      progress_.finish();
    }
    return std::move(out_);
  }

 private:
  bool root() const { return mpi_.rank() == 0; }

  void accept(std::vector<TrialRecord> batch) {
    journal_->append(batch);  // one write + fsync per batch, before anything else happens
    out_.new_records.insert(out_.new_records.end(), batch.begin(), batch.end());
  }

  void poll_ranks() {
    MpiTag tag;
    int source = 0;
    std::string msg;
    while (mpi_.poll(tag, source, msg)) {
      if (tag == MpiTag::kResult) {
        accept({parse_record(plan_, msg, fmt::format("result from rank {}", source))});
      } else if (tag == MpiTag::kDone) {
        ++done_ranks_;
        const auto done = nlohmann::json::parse(msg);
        out_.remote_images += done.value("images", int64_t{0});
        out_.remote_memo_hits += done.value("memo_hits", int64_t{0});
      } else if (out_.error.empty()) {
        out_.error = fmt::format("rank {}: {}", source, msg);
      }
    }
  }

  void check_interrupts() {
    if (interrupt_.count() > 0 && !out_.interrupted) {
      out_.interrupted = true;
      pool_.stop();
      if (root()) {
        fmt::print(stderr,
                   "\nsweep: interrupted; finishing the running trials (interrupt again to "
                   "stop at once)\n");
      }
    }
    if (interrupt_.count() > 1) {
      fmt::print(stderr,
                 "\nsweep: stopped; finished trials are in {}/journal.jsonl; continue with: "
                 "safsim sweep {} --out {} --resume\n",
                 o_.out_dir, plan_.sweep_path, o_.out_dir);
      mpi_.abort(130);  // every finished trial is already journaled
    }
  }

  void check_errors() {
    if (out_.error.empty() && !out_.interrupted) {
      out_.error = pool_.error();  // a child killed by the same Ctrl-C is not an error
    }
    if (!out_.error.empty() && root() && mpi_.size() > 1) {
      fmt::print(stderr, "error: {}\n", out_.error);
      mpi_.abort(2);  // finished trials are journaled; the other ranks must not wait forever
    }
  }

  /// After the local pool finished: other ranks report to rank 0; rank 0 waits for them.
  bool rank_done() {
    if (!root()) {
      if (!out_.error.empty()) {
        mpi_.send_to_root(MpiTag::kError, out_.error);
      }
      nlohmann::json done;
      done["images"] = pool_.trial_images();
      done["memo_hits"] = cache_.memo_hits();
      mpi_.send_to_root(MpiTag::kDone, done.dump());
      return true;
    }
    if (done_ranks_ == mpi_.size() - 1) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return false;
  }

  const SweepPlan& plan_;
  const SweepOptions& o_;
  MpiTransport& mpi_;
  TrialPool& pool_;
  const WorkloadCache& cache_;
  SweepJournal* journal_;
  const int64_t already_done_;
  SweepInterrupt interrupt_;
  ProgressLine progress_;
  LoopResult out_;
  int done_ranks_ = 0;
};

std::string timing_json(const SweepOutcome& r, double prepare_seconds) {
  const double trial_seconds = std::max(1e-9, r.seconds - prepare_seconds);
  nlohmann::ordered_json t;
  t["seconds"] = r.seconds;
  t["prepare_seconds"] = prepare_seconds;
  t["trials_run"] = r.ran;
  t["trial_images"] = r.trial_images;
  t["trials_per_s"] = double(r.ran) / trial_seconds;
  t["trial_images_per_s"] = double(r.trial_images) / trial_seconds;
  t["engine_runs_saved"] = r.memo_hits;  // identical decoded weights: accuracy reused
  t["threads_per_rank"] = r.threads;
  t["ranks"] = r.ranks;
  return t.dump(2) + "\n";
}

/// This rank's share of the pending trials and what running them needs.
struct RankWork {
  std::vector<int64_t> mine;  // round-robin share of the pending trial ids
  WorkloadCache cache;
  TrialContext ctx;
  int workers = 0;
  std::string preflight_error;
};

void prepare_rank(const SweepPlan& plan, const SweepOptions& o, const MpiTransport& mpi,
                  const std::vector<int64_t>& pending, SweepOutcome& r, RankWork& w) {
  for (size_t k = size_t(mpi.rank()); k < pending.size(); k += size_t(mpi.size())) {
    w.mine.push_back(pending[k]);
  }
  int64_t last_point = -1;  // `mine` is in (point, trial) order: each point once
  for (int64_t id : w.mine) {
    if (id / plan.repeat != last_point) {
      last_point = id / plan.repeat;
      w.cache.prepare(plan.point_config(last_point), r.threads, plan.selftest);
    }
  }
  w.preflight_error = preflight(plan, w.cache, w.mine);
  if (!w.preflight_error.empty()) {
    if (!mpi.active()) {
      throw UserError(w.preflight_error);
    }
    w.mine.clear();  // under MPI the error travels like a trial's, so no rank waits forever
  }
  // Fewer trials than threads: give each trial's engine the spare threads (same results).
  w.workers = int(std::min<size_t>(size_t(r.threads), w.mine.size()));
  w.ctx.engine_threads = std::max(1, r.threads / std::max(1, w.workers));
  w.ctx.safsim_exe = o.safsim_exe;
  w.ctx.scratch_dir = o.out_dir + "/trials";
}

/// Rank 0, detection sweeps: the selected test sets, DIR/testsets/<model>_<first>_<images>_<s>.json
/// (what `safsim select` would write for that workload), so the experiment can be inspected and
/// the sets reused by `safsim lifetime`.
void write_test_sets(const std::string& dir, const WorkloadCache& cache) {
  for (const PreparedWorkload* p : cache.all()) {
    if (p->test_sets.empty()) {
      continue;
    }
    ensure_directory(dir + "/testsets");
    for (const TestSet& t : p->test_sets) {
      const std::string stem = std::filesystem::path(t.model).stem().string();
      write_test_set(
          t, fmt::format("{}/testsets/{}_{}_{}_{}.json", dir, stem, p->workload.images.first_index,
                         p->workload.images.count, t.strategy));
    }
  }
}

/// Rank 0, after the loop: the result files when every trial is done, else how to resume.
void finish_root(const SweepPlan& plan, const SweepOptions& o, std::vector<TrialRecord> all,
                 SweepOutcome& r) {
  std::sort(all.begin(), all.end(), [](const TrialRecord& a, const TrialRecord& b) {
    return std::make_pair(a.point, a.trial) < std::make_pair(b.point, b.trial);
  });
  if (int64_t(all.size()) != r.trials) {
    fmt::print(stderr,
               "sweep: {} of {} trials done and journaled in {}/journal.jsonl; continue "
               "with: safsim sweep {} --out {} --resume\n",
               all.size(), r.trials, o.out_dir, plan.sweep_path, o.out_dir);
    return;
  }
  WrittenFiles out(o.out_dir);
  write_sweep_outputs(out, plan, all);
  std::error_code ec;
  std::filesystem::remove_all(o.out_dir + "/trials", ec);  // leftovers of cut-short cycle trials
  out.add(o.out_dir + "/timing.json");
  out.add(o.out_dir + "/journal.jsonl");
  if (plan.selftest.enabled) {
    out.add(o.out_dir + "/testsets/");
  }
  r.wrote = out.line();
  r.complete = true;
}

}  // namespace

SweepOutcome run_sweep(const SweepPlan& plan, const SweepOptions& o, MpiTransport& mpi) {
  const auto t0 = Clock::now();
  SweepOutcome r;
  r.trials = plan.trials();
  r.ranks = mpi.size();
  JournalContents contents;
  DirectoryLock lock;
  // Rank 0 alone journals, so it alone hashes the inputs (tens of ms for Fashion-MNIST).
  const std::vector<SweepInput> inputs =
      mpi.rank() == 0 ? sweep_inputs(plan) : std::vector<SweepInput>{};
  const std::vector<int64_t> pending = agree_on_pending(plan, o, mpi, inputs, contents, lock);
  r.from_journal = r.trials - int64_t(pending.size());
  r.threads = o.threads > 0 ? o.threads : std::max(1, machine_cores() / mpi.ranks_on_node());
  if (mpi.rank() == 0) {
    fmt::print(stderr,
               "sweep {}: {} points x {} trials = {} trials, {} from the journal; {} thread(s) x "
               "{} rank(s)\n",
               plan.name, plan.point_count(), plan.repeat, r.trials, r.from_journal, r.threads,
               r.ranks);
  }
  RankWork w;
  prepare_rank(plan, o, mpi, pending, r, w);
  const double prepare_seconds = since(t0);
  if (mpi.rank() == 0 && plan.selftest.enabled) {
    write_test_sets(o.out_dir, w.cache);
  }
  std::unique_ptr<SweepJournal> journal;
  if (mpi.rank() == 0) {
    journal = std::make_unique<SweepJournal>(o.out_dir + "/journal.jsonl", plan, inputs,
                                             contents.complete_bytes);
  }
  LoopResult loop;
  {
    TrialPool pool(plan, w.cache, w.mine, w.workers, w.ctx);
    MainLoop main_loop(plan, o, mpi, pool, w.cache, journal.get(), r.from_journal);
    loop = main_loop.run(w.preflight_error);
    r.trial_images = pool.trial_images() + loop.remote_images;
    r.memo_hits = w.cache.memo_hits() + loop.remote_memo_hits;
  }
  r.seconds = since(t0);
  r.interrupted = loop.interrupted;
  if (!loop.error.empty()) {
    throw UserError(loop.error);
  }
  if (mpi.rank() == 0) {
    r.ran = int64_t(loop.new_records.size());
    write_file_atomic(o.out_dir + "/timing.json", timing_json(r, prepare_seconds));
    std::vector<TrialRecord> all = std::move(contents.records);
    all.insert(all.end(), loop.new_records.begin(), loop.new_records.end());
    finish_root(plan, o, std::move(all), r);
  }
  return r;
}

}  // namespace safsim
