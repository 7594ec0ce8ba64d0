// `safsim sweep SWEEP.yaml [--out DIR] [--threads N] [--resume [--repair]] [--yes] [--plot]`:
// plans the sweep (every point's config checked before any trial), runs it over threads and MPI
// ranks with a journal, writes the result files, and optionally draws the figures.
#include "sim/cli/sweep_command.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "base/errors.h"
#include "sim/cli/plot_command.h"
#include "sim/pipeline.h"
#include "sim/sweep/mpi_transport.h"
#include "sim/sweep/plan.h"
#include "sim/sweep/runner.h"
#include "sim/sweep/size.h"
#include "workloads/dataset.h"
#include "workloads/onnx_import.h"

namespace safsim {
namespace {

constexpr int kExitInterrupted = 130;  // the shell's code for "stopped by SIGINT"

struct SweepCliOptions {
  std::string sweep_path;
  std::string out_dir;
  int threads = 0;
  bool resume = false;
  bool plot = false;
  bool no_progress = false;
  bool dry_run = false;
  bool yes = false;
  bool repair = false;
};

/// --dry-run: what would run, on stdout; nothing is written.
void print_plan(const SweepPlan& plan) {
  fmt::print("sweep {}: {} points x {} trials = {} trials\n", plan.name, plan.point_count(),
             plan.repeat, plan.trials());
  fmt::print("axes: {}\nmetrics: {}\n", fmt::join(plan.columns, ", "),
             fmt::join(plan.metrics, ", "));
  plan.for_each_point([](const SweepPoint& p) {
    fmt::print("point {}: {} ({})\n", p.index, p.key.empty() ? "(no axes)" : p.key,
               p.config.engine == EngineKind::kCycle ? "cycle" : "functional");
  });
}

/// --dry-run also imports every model and reads every dataset the points name, so a missing or
/// broken workload is reported now rather than when the first trial starts.
void check_workloads(const SweepPlan& plan) {
  std::map<std::string, Shape> models;  // by name: the input shape
  std::set<std::string> datasets;
  plan.for_each_point([&](const SweepPoint& p) {
    const std::string& model = p.config.workload.model;
    if (models.count(model) == 0) {
      models[model] = load_model(model).input_shape;
    }
    if (datasets.insert(p.config.workload.dataset + "\n" + model).second) {
      load_dataset(dataset_source(p.config, models[model]), DatasetSplit::kTest);
    }
  });
  fmt::print("workloads: {} model(s) and {} dataset(s) load\n", models.size(), datasets.size());
  const SweepSize size = sweep_size(plan);
  fmt::print("size: {}{}\n", describe_size(size),
             size.trial_images > kConfirmTrialImages
                 ? fmt::format(", more than {}: it starts only with --yes", kConfirmTrialImages)
                 : "");
}

/// srun with several tasks but no MPI job: every task would run the whole sweep into one DIR.
void check_not_orphaned_srun_task(const MpiTransport& mpi) {
  const char* tasks = std::getenv("SLURM_STEP_NUM_TASKS");
  if (!mpi.active() && tasks != nullptr && std::atoi(tasks) > 1) {
    throw UserError(fmt::format(
        "srun started {} tasks, but they are not one MPI job ({}); each would run the whole "
        "sweep. Use `srun --mpi=pmix` (or pmi2) with an MPI build, or a single task with "
        "--threads",
        tasks,
        MpiTransport::built_with_mpi() ? "no PMI environment" : "safsim was built without MPI"));
  }
}

/// Plans and runs the sweep; returns the process exit code. Throws UserError.
int sweep_main(const SweepCliOptions& o, MpiTransport& mpi) {
  check_not_orphaned_srun_task(mpi);
  if (o.repair && !o.resume) {
    throw UserError("--repair repairs the journal of the sweep it continues: use it with --resume");
  }
  const SweepPlan plan = plan_sweep(load_sweep(o.sweep_path));
  if (o.dry_run) {
    if (mpi.rank() == 0) {
      print_plan(plan);
      check_workloads(plan);
    }
    return 0;
  }
  SweepOptions so;
  so.out_dir = o.out_dir.empty() ? "out/sweeps/" + plan.name : o.out_dir;
  so.threads = o.threads;
  so.resume = o.resume;
  so.show_progress = !o.no_progress;
  so.confirmed = o.yes;
  so.repair = o.repair;
  std::error_code ec;
  so.safsim_exe = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  const SweepOutcome r = run_sweep(plan, so, mpi);
  if (mpi.rank() != 0) {
    return 0;
  }
  if (!r.complete) {
    return r.interrupted ? kExitInterrupted : 2;
  }
  const double trial_seconds = r.seconds > 0 ? r.seconds : 1e-9;
  fmt::print(stderr, "sweep {}: {} trials ({} run now) in {:.1f} s, {:.0f} trial-images/s\n",
             plan.name, r.trials, r.ran, r.seconds, double(r.trial_images) / trial_seconds);
  const bool plotted = o.plot && render_sweep_plots(so.out_dir);
  if (o.plot && !plotted) {
    fmt::print(stderr, "sweep: the results are complete; only the figures are missing\n");
  }
  std::fflush(stdout);  // the plot script's lines first
  fmt::print(stderr, "{}{}\n", r.wrote, plotted ? ", plots/" : "");
  return 0;
}

void run_sweep_command(const SweepCliOptions& o) {
  int code = 0;
  std::string error;
  {
    MpiTransport mpi;  // finalised at the end of this scope, before any exit()
    try {
      code = sweep_main(o, mpi);
    } catch (const UserError& e) {
      if (!mpi.active()) {
        throw;  // main() prints it and exits with 2, as for every command
      }
      code = 2;
      error = mpi.rank() == 0 ? e.what() : "";  // every rank fails alike; say it once
    }
  }
  if (!error.empty()) {
    fmt::print(stderr, "error: {}\n", error);
  }
  if (code != 0) {
    std::exit(code);
  }
}

}  // namespace

void register_sweep_command(CLI::App& app) {
  auto o = std::make_shared<SweepCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "sweep", "grid of configs x fault maps over threads and MPI ranks (docs/sweeps.md)");
  cmd->add_option("SWEEP", o->sweep_path, "sweep file (configs/sweeps/*.yaml)")->required();
  cmd->add_option("--out", o->out_dir, "output directory (default: out/sweeps/<name>)");
  cmd->add_option("--threads", o->threads, "worker threads per process (0 = all cores)")
      ->check(CLI::Range(0, 1024));
  cmd->add_flag("--resume", o->resume, "continue the sweep journaled in --out");
  cmd->add_flag("--repair", o->repair,
                "with --resume: drop the journal lines that are not records of this sweep (a "
                "corrupt line; each is reported), rewrite it atomically and rerun those trials");
  cmd->add_flag("--yes", o->yes,
                fmt::format("start a sweep of more than {} trial-images (trials x images), "
                            "which is refused without it; not needed to --resume one",
                            kConfirmTrialImages));
  cmd->add_flag("--plot", o->plot, "draw figures under DIR/plots when done (python3-matplotlib)");
  cmd->add_flag("--no-progress", o->no_progress, "no progress output on stderr");
  cmd->add_flag(
      "--dry-run", o->dry_run,
      "check the sweep file, list its points and load their models and datasets; run nothing");
  cmd->callback([o] { run_sweep_command(*o); });
}

}  // namespace safsim
