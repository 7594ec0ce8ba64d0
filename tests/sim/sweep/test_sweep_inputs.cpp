// The journal header holds the content hashes of a sweep's input files: --resume after the
// model or a dataset file was replaced at the same path is refused, naming the file; an
// unchanged resume runs on; a journal from before the hashes is refused with its reason.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/errors.h"
#include "base/file_hash.h"
#include "sim/sweep/inputs.h"
#include "sim/sweep/mpi_transport.h"
#include "sim/sweep/runner.h"
#include "workloads/onnx_import.h"

using namespace safsim;
namespace fs = std::filesystem;

namespace {

fs::path fresh_dir(const std::string& name) {
  const fs::path d =
      fs::temp_directory_path() / ("safsim_test_inputs_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

SweepOutcome run(const SweepPlan& plan, const fs::path& dir, bool resume) {
  MpiTransport single_process;
  SweepOptions o;
  o.out_dir = dir.string();
  o.threads = 1;
  o.resume = resume;
  o.show_progress = false;
  return run_sweep(plan, o, single_process);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

SweepPlan plan_on(const fs::path& model, const std::string& dataset = "fashion-mnist") {
  return plan_sweep(parse_sweep(
      "config: {workload: {model: " + model.string() + ", dataset: " + dataset +
          ", images: 20}}\naxes: [{key: faults.weights.stuck_at.rate, values: [0.01]}]\n",
      "in.yaml"));
}

}  // namespace

TEST_CASE("FNV-1a 64 of a file equals that of its bytes, in any chunking", "[sweep]") {
  REQUIRE(fnv1a64("") == 0xCBF29CE484222325ull);
  REQUIRE(fnv1a64("a") == 0xAF63DC4C8601EC8Cull);  // the published FNV-1a 64 test vector
  REQUIRE(fnv1a64("bc", fnv1a64("a")) == fnv1a64("abc"));
  const fs::path dir = fresh_dir("hash");
  std::string big(200000, 'x');
  big[123456] = 'y';
  std::ofstream(dir / "f", std::ios::binary) << big;
  REQUIRE(hash_file((dir / "f").string()) == fnv1a64(big));
  REQUIRE_FALSE(hash_file((dir / "missing").string()).has_value());
  REQUIRE_FALSE(hash_file(dir.string()).has_value());
  fs::remove_all(dir);
}

TEST_CASE("a sweep's input files are resolved as the loaders resolve them", "[sweep]") {
  REQUIRE(model_file("lenet5") == (fs::path(zoo_dir()) / "lenet5.onnx").string());
  REQUIRE(model_file("models/x") == "models/x");
  REQUIRE(model_file("x.onnx") == "x.onnx");
  const fs::path dir = fresh_dir("dataset");
  for (const char* f : {"train-images-idx3-ubyte.gz", "train-images-idx3-ubyte",
                        "train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte.gz"}) {
    std::ofstream(dir / f) << f;
  }
  // .gz first, else the plain file; a missing one is left to the loader to report.
  REQUIRE(dataset_files(DatasetSource{dir.string()}) ==
          std::vector<std::string>{(dir / "train-images-idx3-ubyte.gz").string(),
                                   (dir / "train-labels-idx1-ubyte").string(),
                                   (dir / "t10k-labels-idx1-ubyte.gz").string()});

  const std::vector<SweepInput> in =
      sweep_inputs(plan_on(fs::path(zoo_dir()) / "lenet5.onnx", dir.string()));
  REQUIRE(in.size() == 4);
  REQUIRE(in[0].key == "workload.model");
  REQUIRE(in[0].hash == hash_file((fs::path(zoo_dir()) / "lenet5.onnx").string()));
  REQUIRE(in[1].key == "workload.dataset");
  REQUIRE(in[1].path == (dir / "train-images-idx3-ubyte.gz").string());
  fs::remove_all(dir);
}

TEST_CASE("resume refuses a model or dataset file whose content changed", "[sweep][slow]") {
  const fs::path work = fresh_dir("resume");
  const fs::path model = work / "model.onnx";
  fs::copy_file(fs::path(zoo_dir()) / "lenet5.onnx", model);
  // The dataset as links to the real files, so one can be replaced without copying 30 MB.
  const fs::path data = work / "data";
  fs::create_directories(data);
  for (const std::string& f : dataset_files(DatasetSource{"fashion-mnist"})) {
    fs::create_symlink(f, data / fs::path(f).filename());
  }
  const SweepPlan plan = plan_on(model, data.string());
  const fs::path out = work / "out";
  REQUIRE(run(plan, out, false).complete);
  const std::string results = slurp(out / "results.csv");

  // Unchanged inputs: the resume runs nothing and writes the same results.
  const SweepOutcome again = run(plan, out, true);
  REQUIRE(again.complete);
  REQUIRE(again.ran == 0);
  REQUIRE(slurp(out / "results.csv") == results);

  // Another model at the same path.
  fs::copy_file(fs::path(zoo_dir()) / "lenet5_avgpool.onnx", model,
                fs::copy_options::overwrite_existing);
  const std::string journal = (out / "journal.jsonl").string();
  REQUIRE_THROWS_WITH(
      run(plan, out, true),
      Catch::StartsWith(journal + ":1: the content of " + model.string() +
                        " (workload.model) changed since the sweep started (fnv1a64 ") &&
          Catch::EndsWith("resuming would mix trials of two inputs in one result set; restore "
                          "the file, or use another --out directory for the new inputs"));
  fs::copy_file(fs::path(zoo_dir()) / "lenet5.onnx", model, fs::copy_options::overwrite_existing);
  REQUIRE(run(plan, out, true).ran == 0);  // restored: accepted again

  // A replaced test-label file of the dataset.
  const fs::path labels = data / "t10k-labels-idx1-ubyte.gz";
  const std::string original = fs::read_symlink(labels).string();
  fs::remove(labels);
  std::ofstream(labels, std::ios::binary) << slurp(original) << '\0';
  REQUIRE_THROWS_WITH(run(plan, out, true),
                      Catch::Contains("the content of " + labels.string() +
                                      " (workload.dataset) changed since the sweep started"));
  fs::remove(labels);
  REQUIRE_THROWS_WITH(run(plan, out, true),
                      Catch::Contains("the sweep started on " + labels.string() +
                                      " (workload.dataset), which cannot be read now"));
  fs::create_symlink(original, labels);
  REQUIRE(run(plan, out, true).ran == 0);

  // A journal of the first format (no input hashes) is refused, and says why.
  std::string text = slurp(journal);
  const std::string v2 = "{\"safsim_sweep_journal\":2,";
  REQUIRE(text.rfind(v2, 0) == 0);
  text.replace(0, v2.size(), "{\"safsim_sweep_journal\":1,");
  text.replace(text.find(",\"inputs\":"), text.find('\n') - 1 - text.find(",\"inputs\":"), "");
  std::ofstream(journal, std::ios::binary) << text;
  REQUIRE_THROWS_WITH(run(plan, out, true),
                      journal +
                          ":1: this journal was written by an older safsim that did not record "
                          "the content of the model and dataset files, so it cannot tell "
                          "whether they changed since; finish the sweep with that safsim, or "
                          "use another --out directory");
  fs::remove_all(work);
}
