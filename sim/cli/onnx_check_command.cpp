// `safsim onnx-check MODEL.onnx --inputs IN.pb... --expect OUT.pb... [--rtol R] [--atol A]`
// runs the imported model on ONNX TensorProto inputs with the fp32 reference and compares every
// output element; `safsim onnx-check --list-ops` prints the ops the importer supports. Exit 0 on
// a match, 1 on a mismatch, 2 (via main) for a model or tensor that is invalid or unsupported.
#include "sim/cli/onnx_check_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "base/errors.h"
#include "workloads/onnx_check.h"
#include "workloads/onnx_import.h"

namespace safsim {
namespace {

struct OnnxCheckArgs {
  std::string model;
  std::vector<std::string> inputs;
  std::vector<std::string> expects;
  double rtol = Tolerance{}.rtol;
  double atol = Tolerance{}.atol;
  bool list_ops = false;
};

constexpr int kExitMismatch = 1;

std::string index_string(const std::vector<int64_t>& index) {
  return fmt::format("[{}]", fmt::join(index, ", "));
}

/// Prints the result; returns false on a mismatch.
bool report(const OnnxCheckArgs& a, const OnnxCheckResult& r) {
  int64_t elements = 0;
  double max_abs = 0.0;
  double max_rel = 0.0;
  for (const OnnxOutputCheck& o : r.outputs) {
    if (!o.shape_mismatch.empty()) {
      fmt::print("onnx-check: {}: MISMATCH: output '{}': {}\n", a.model, o.name, o.shape_mismatch);
      return false;
    }
    if (!o.stats.ok()) {
      const ElementDiff& w = o.stats.worst;
      fmt::print(
          "onnx-check: {}: MISMATCH: {} of {} elements of output '{}' beyond rtol {}, atol {}; "
          "worst: {}{}: got {:.9g}, expected {:.9g}, abs error {:.3g}, rel error {:.3g}\n",
          a.model, o.stats.mismatches, o.stats.elements, o.name, a.rtol, a.atol, o.name,
          index_string(unravel_index(w.index, o.dims)), w.got, w.expected, w.abs_error,
          w.rel_error);
      return false;
    }
    elements += o.stats.elements;
    max_abs = std::max(max_abs, o.stats.max_abs_error);
    max_rel = std::max(max_rel, o.stats.max_rel_error);
  }
  fmt::print(
      "onnx-check: {}: ok: {} output(s), {} elements (batch {}) within rtol {}, atol {}; max "
      "abs error {:.3g}, max rel error {:.3g}\n",
      a.model, r.outputs.size(), elements, r.batch, a.rtol, a.atol, max_abs, max_rel);
  return true;
}

void run_onnx_check_command(const OnnxCheckArgs& a) {
  if (a.list_ops) {
    for (const std::string& op : supported_onnx_ops()) {
      fmt::print("{}\n", op);
    }
    return;
  }
  if (a.model.empty() || a.inputs.empty() || a.expects.empty()) {
    throw UserError(
        "onnx-check needs MODEL.onnx, --inputs and --expect (or --list-ops); see "
        "`safsim onnx-check --help`");
  }
  OnnxCheckRequest request;
  request.model_path = a.model;
  request.input_paths = a.inputs;
  request.expect_paths = a.expects;
  request.tolerance = Tolerance{a.rtol, a.atol};
  if (!report(a, run_onnx_check(request))) {
    std::fflush(stdout);
    std::exit(kExitMismatch);
  }
}

}  // namespace

void register_onnx_check_command(CLI::App& app) {
  auto a = std::make_shared<OnnxCheckArgs>();
  CLI::App* cmd = app.add_subcommand(
      "onnx-check", "run an ONNX model on TensorProto inputs (fp32 reference), compare outputs");
  cmd->add_option("MODEL", a->model, "the ONNX model (e.g. a node test's model.onnx)");
  cmd->add_option("--inputs", a->inputs,
                  "TensorProto files (input_0.pb ...): the image first, N x C x H x W or N x K; "
                  "the model runs once per batch element. A tensor for any other graph input "
                  "(a Conv's W, a Gemm's B and C) is passed to the model as a constant")
      ->expected(1, -1);
  cmd->add_option("--expect", a->expects,
                  "TensorProto files of the expected outputs (output_0.pb ...), batch first")
      ->expected(1, -1);
  cmd->add_option("--rtol", a->rtol, "relative tolerance")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--atol", a->atol, "absolute tolerance")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--list-ops", a->list_ops,
                "print the ONNX op types the importer supports, one per line, and exit");
  cmd->footer(
      "An element matches when |got - expected| <= atol + rtol * |expected| (NaN matches NaN).\n"
      "Tensors are matched to graph inputs and outputs by name, unnamed ones by position.\n"
      "Exit codes: 0 every element matches (prints outputs, elements, max abs and rel error);\n"
      "1 a mismatch (prints the worst element: output, index, got, expected, error);\n"
      "2 the model or a tensor is invalid or unsupported (names the file, tensor, shape, or\n"
      "the node and op).\n"
      "Example, one of ONNX's node tests (Debian package libonnx-testdata):\n"
      "  d=/usr/share/libonnx-testdata/data/node/test_conv_with_strides_padding\n"
      "  safsim onnx-check $d/model.onnx --inputs $d/test_data_set_0/input_*.pb \\\n"
      "    --expect $d/test_data_set_0/output_0.pb\n"
      "scripts/onnx_conformance.py runs every node test whose ops are supported (docs/models.md).");
  cmd->callback([a] { run_onnx_check_command(*a); });
}

}  // namespace safsim
