// Typed simulation config. Every key is declared once, in a section's visit(): the same list
// drives parsing (strict, with file:line:col errors), the resolved-config dump and the docs.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "base/enum_names.h"
#include "base/trace_config.h"
#include "hw_models/accelerator_config.h"
#include "hw_models/selftest_config.h"
#include "memory/memory_config.h"
#include "workloads/workload_config.h"

namespace safsim {

enum class EngineKind { kFunctional, kCycle };

// A visitor V provides:
//   v.value(key, int&|int64_t&|uint64_t&|double&, lo, hi, doc)  range-checked number
//   v.value(key, bool&|std::string&|std::vector<std::string>&, doc)
//   v.value(key, std::vector<double>&, lo, hi, doc)              list of range-checked numbers
//   v.choice(key, E&, EnumNames<E>, doc)                        one of the listed names
//   v.section(key, S&, doc)                                     nested section (S has visit())

struct OutputConfig {
  std::string dir = "out";
  TraceConfig trace;
  bool predictions = false;

  template <class V>
  void visit(V& v) {
    v.value("dir", dir, "output directory (overridden by --out)");
    v.value("predictions", predictions,
            "eval and run: also write predictions.csv and logits.npy (one row per image)");
    v.section("trace", trace, "VCD tracing");
  }
};

enum class DefectGrowth { kConstant, kPower, kExponential };

/// `safsim lifetime`: the lifetime timeline (docs/lifetime.md). Accuracy is evaluated on the
/// workload images (workload.images from workload.first_image).
struct LifetimeConfig {
  double hours = 1000;
  double inferences_per_hour = 3600;
  double flip_rate_per_bit_hour = 0;
  DefectGrowth defect_growth = DefectGrowth::kPower;
  double defect_rate_per_bit_hour = 0;
  double defect_t0_hours = 1000;
  double defect_beta = 1;
  double sa1_fraction = 0.8;
  int evals_per_period = 1;
  double harmful_drop_points = 5;
  bool heal = false;

  template <class V>
  void visit(V& v) {
    v.value("hours", hours, 1e-6, 1e9, "length of the simulated lifetime in hours");
    v.value("inferences_per_hour", inferences_per_hour, 1e-6, 1e12,
            "inference rate of the deployed accelerator");
    v.value("flip_rate_per_bit_hour", flip_rate_per_bit_hour, 0.0, 1.0,
            "transient weight flips: Poisson rate per stored bit per hour");
    v.choice("defect_growth", defect_growth,
             EnumNames<DefectGrowth>{{"constant", DefectGrowth::kConstant},
                                     {"power", DefectGrowth::kPower},
                                     {"exponential", DefectGrowth::kExponential}},
             "stuck-at rate law r(t) per cell: constant r0, power r0*(t/t0)^beta, exponential "
             "r0*exp(t/t0)");
    v.value("defect_rate_per_bit_hour", defect_rate_per_bit_hour, 0.0, 1.0,
            "r0: stuck-at defect rate per cell per hour (at t = t0 for the power law)");
    v.value("defect_t0_hours", defect_t0_hours, 1e-6, 1e9, "t0 of the defect rate law, hours");
    v.value("defect_beta", defect_beta, -0.99, 10.0, "beta of the power law (> 0: wear-out)");
    v.value("sa1_fraction", sa1_fraction, 0.0, 1.0,
            "share of new defects stuck at 1 (001: RRAM 0.8)");
    v.value("evals_per_period", evals_per_period, 1, 1000,
            "accuracy evaluations per test period (the last one at the test)");
    v.value("harmful_drop_points", harmful_drop_points, 0.0, 100.0,
            "theta: the model is harmful once accuracy dropped by this many points");
    v.value("heal", heal,
            "on a flag: March test, re-encode with mitigation.scheme and rewrite the weights");
  }
};

/// The `selftest` section: the SelfTestController's keys (hw_models/selftest_config.h) and the
/// lifetime model of `safsim lifetime`.
struct SelfTestConfig : SelfTestControllerConfig {
  LifetimeConfig lifetime;

  template <class V>
  void visit(V& v) {
    visit_controller(v);
    v.section("lifetime", lifetime, "safsim lifetime: the lifetime model");
  }
};

/// `safsim analyze`: the resilience analyses of 002 (docs/resilience.md).
struct AnalysisConfig {
  int relevance_images = 1000;
  int bit = -1;
  bool sample = false;
  double error_margin = 0.01;
  double confidence = 0.99;
  int histogram_bins = 50;
  std::string layer;
  std::vector<std::string> ber_rates = {"1e-5", "1e-4", "1e-3", "1e-2"};
  int ber_runs = 100;

  template <class V>
  void visit(V& v) {
    v.value("relevance_images", relevance_images, 1, 60000,
            "criticality: training images D whose mean LRP relevance is taken (002 Eq. 3)");
    v.value("bit", bit, -1, 31,
            "neuron-failures: bit of the activation word to flip; -1 = the MSB (002 sec. V-D)");
    v.value("sample", sample,
            "neuron-failures: test a random sample of neurons (Leveugle et al., DATE 2009) "
            "instead of every neuron");
    v.value("error_margin", error_margin, 1e-4, 0.5,
            "neuron-failures with sample: error margin e of the sample size");
    v.value("confidence", confidence, 0.5, 0.9999,
            "neuron-failures with sample: confidence level of the sample size");
    v.value("histogram_bins", histogram_bins, 1, 1000,
            "neuron-failures: failure-rate bins over [0, 1] (002 Figs. 3, 4)");
    v.value("layer", layer,
            "neuron-failures: only this layer (name or index); empty = every layer output");
    v.value("ber_rates", ber_rates,
            "ber: bit error rates, each activation bit flips with this probability (002 Fig. 7)");
    v.value("ber_runs", ber_runs, 1, 100000, "ber: independent runs (flip draws) per rate");
  }
};

struct Config {
  WorkloadConfig workload;
  QuantConfig quant;
  EngineKind engine = EngineKind::kFunctional;
  uint64_t seed = 1;
  int threads = 0;  // 0 = all cores
  AcceleratorConfig accelerator;
  FaultsConfig faults;
  MitigationConfig mitigation;
  OutputConfig output;
  SelfTestConfig selftest;
  AnalysisConfig analysis;

  template <class V>
  void visit(V& v) {
    v.section("workload", workload, "what runs");
    v.section("quant", quant, "post-training quantization");
    v.choice("engine", engine,
             EnumNames<EngineKind>{{"functional", EngineKind::kFunctional},
                                   {"cycle", EngineKind::kCycle}},
             "functional (batched GEMM) or cycle (SystemC)");
    v.value("seed", seed, uint64_t{0}, std::numeric_limits<uint64_t>::max(), "experiment seed");
    v.value("threads", threads, 0, 1024, "worker threads; 0 = all cores");
    v.section("accelerator", accelerator, "the modelled accelerator");
    v.section("faults", faults, "fault models (docs/faults.md)");
    v.section("mitigation", mitigation, "deploy-time fault mitigation");
    v.section("output", output, "what is written");
    v.section("selftest", selftest, "self-test controller and lifetime runs (docs/lifetime.md)");
    v.section("analysis", analysis,
              "safsim analyze: resilience analyses of 002 (docs/resilience.md)");
  }
};

/// Loads a YAML config file, applies `key.path=value` overrides, and validates strictly.
/// Throws ConfigError ("file:line:col: key: message") on any unknown key, wrong type or range.
Config load_config(const std::string& path, const std::vector<std::string>& overrides = {});

/// Parses a config from YAML text (for tests); `source_name` is used in error messages.
Config parse_config(const std::string& yaml_text, const std::string& source_name,
                    const std::vector<std::string>& overrides = {});

/// The checks that involve several keys (load_config and parse_config run them after reading);
/// for configs assembled another way, such as the points of a sweep.
void validate_config(const Config& c);

/// Every key with its resolved value, as YAML (config.resolved.yaml). Adds `version`.
std::string dump_config(const Config& c);

/// Throws ConfigError when `c` schedules flips but does not run on the cycle engine: a scheduled
/// flip names a cycle and an address of the cycle engine's memories, and dropping it silently
/// would fake a result. `where` ("file:line:col: ") prefixes the message.
void check_scheduled_flips_engine(const Config& c, bool cycle_engine, const std::string& where);

/// Throws ConfigError when `c` has read errors (faults.weights.read_errors.ber > 0) but does not
/// run on the cycle engine: every read draws its own errors, and the functional engine reads each
/// weight once for all images, so it cannot model them. `where` as above.
void check_read_errors_engine(const Config& c, bool cycle_engine, const std::string& where);

}  // namespace safsim
