// `safsim bench [CONFIG] [--set k=v]... [--repeat N] [--threads N] [--out DIR]`: images/s of the
// functional engine over the configured test images (default: all 10,000), best of N timed
// passes after one warm-up pass. Prints one JSON line (and with --out writes it to
// DIR/bench.json, so a script need not capture stdout); see docs/performance.md.
#include "sim/cli/bench_command.h"

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/parallel.h"
#include "sim/cli/common_options.h"
#include "sim/engines/functional_engine.h"
#include "sim/pipeline.h"
#include "sim/written_files.h"

namespace safsim {
namespace {

struct BenchOptions {
  CommonOptions common;
  int repeat = 3;
};

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("model name", 0) == 0) {
      return line.substr(line.find(':') + 2);
    }
  }
  return "unknown";
}

void run_bench(const BenchOptions& o) {
  const Config c = load_cli_config(o.common);
  const Workload w = prepare_workload(c);
  const FunctionalEngine engine(w.qmodel, w.weights, c.threads);
  const bool labeled = w.images.has_labels();
  double correct = labeled ? accuracy(engine.run(w.images), w.images.labels) : 0.0;  // warm-up
  double best = 1e30;
  for (int r = 0; r < o.repeat; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const Logits l = engine.run(w.images);
    best = std::min(best,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    correct = labeled ? accuracy(l, w.images.labels) : 0.0;
  }
  nlohmann::ordered_json j;
  j["bench"] = "functional_engine";
  j["model"] = w.model.name;
  j["weight_format"] = to_string(w.qmodel.weight_format.format);
  j["weight_bits"] = w.qmodel.weight_format.bits;
  j["images"] = w.images.count;
  j["threads"] = resolve_threads(c.threads);
  j["best_seconds"] = best;
  j["images_per_s"] = w.images.count / best;
  // Which GEMMs ran: the VNNI int8 kernel on how many array layers (SAFSIM_INT8_GEMM=off: none).
  j["int8_layers"] = engine.int8_layers();
  j["array_layers"] = engine.array_layers();
  j["macs_per_s"] = double(w.qmodel.macs_per_image()) * w.images.count / best;
  j["accuracy"] = labeled ? nlohmann::ordered_json(correct) : nlohmann::ordered_json(nullptr);
  j["cores"] = machine_cores();
  j["cpu"] = cpu_model();
  fmt::print("{}\n", j.dump());
  if (!o.common.out_dir.empty()) {  // only when asked: output.dir's default would litter "out"
    WrittenFiles out(o.common.out_dir);
    out.write("bench.json", j.dump() + "\n");
    out.announce();
  }
}

}  // namespace

void register_bench_command(CLI::App& app) {
  auto opts = std::make_shared<BenchOptions>();
  CLI::App* cmd = app.add_subcommand("bench", "images/s of the functional engine");
  add_common_options(cmd, opts->common, false);
  cmd->get_option("--out")->description("also write the JSON line to DIR/bench.json");
  cmd->add_option("--repeat", opts->repeat, "timed passes (best is reported)")
      ->check(CLI::Range(1, 100));
  cmd->callback([opts] { run_bench(*opts); });
}

}  // namespace safsim
