// Typed simulation config. Every key is declared once, in a section's visit(): the same list
// drives parsing (strict, with file:line:col errors), the resolved-config dump and the docs.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "memory/fault_options.h"
#include "memory/read_path_decoder.h"
#include "memory/word_format.h"

namespace safsim {

/// Name <-> value table of an enum-valued key; the names are the allowed values.
template <class E>
using EnumNames = std::vector<std::pair<const char*, E>>;

enum class EngineKind { kFunctional, kCycle };
enum class WeightLoad { kSerial, kOverlapped };

// A visitor V provides:
//   v.value(key, int&|int64_t&|uint64_t&|double&, lo, hi, doc)  range-checked number
//   v.value(key, bool&|std::string&|std::vector<std::string>&, doc)
//   v.choice(key, E&, EnumNames<E>, doc)                        one of the listed names
//   v.section(key, S&, doc)                                     nested section (S has visit())

struct WorkloadConfig {
  std::string model = "lenet5";
  std::string dataset = "fashion-mnist";
  int images = 0;       // 0 = the whole test split
  int first_image = 0;  // index of the first test image used

  template <class V>
  void visit(V& v) {
    v.value("model", model, "zoo model name (see workloads/zoo/zoo.yaml) or path to an .onnx file");
    v.value("dataset", dataset, "dataset name (fashion-mnist) or a directory with IDX files");
    v.value("images", images, 0, 1000000, "number of test images to run; 0 = all");
    v.value("first_image", first_image, 0, 1000000, "index of the first test image");
  }
};

struct QuantConfig {
  int weight_bits = 8;
  WeightFormat weight_format = WeightFormat::kTwosComplement;
  int activation_bits = 8;
  bool per_channel = false;
  int calibration_images = 1000;
  int accumulator_bits = 32;

  template <class V>
  void visit(V& v) {
    v.value("weight_bits", weight_bits, 2, 16, "bits Q of an integer weight word");
    v.choice("weight_format", weight_format,
             EnumNames<WeightFormat>{{"twos_complement", WeightFormat::kTwosComplement},
                                     {"offset_binary", WeightFormat::kOffsetBinary},
                                     {"fp32", WeightFormat::kFp32},
                                     {"fp16", WeightFormat::kFp16},
                                     {"bf16", WeightFormat::kBf16}},
             "how a weight is stored in an NVM word");
    v.value("activation_bits", activation_bits, 4, 16, "bits of an activation code");
    v.value("per_channel", per_channel, "one weight scale per output channel instead of per layer");
    v.value("calibration_images", calibration_images, 1, 60000,
            "training images used to calibrate activation ranges");
    v.value("accumulator_bits", accumulator_bits, 16, 32, "PE accumulator width (wraps)");
  }
};

struct ArrayConfig {
  int rows = 16;
  int cols = 16;

  template <class V>
  void visit(V& v) {
    v.value("rows", rows, 1, 256, "PE rows (reduction dimension)");
    v.value("cols", cols, 1, 256, "PE columns (output channels)");
  }
};

struct SramConfig {
  double capacity_kib = 64;
  int banks = 4;
  int word_bits = 64;
  int ports = 1;
  int read_latency_cycles = 1;

  template <class V>
  void visit(V& v) {
    v.value("capacity_kib", capacity_kib, 0.0625, 1048576.0, "capacity in KiB (per buffer half)");
    v.value("banks", banks, 1, 256, "independent banks");
    v.value("word_bits", word_bits, 8, 4096, "bits per bank access");
    v.value("ports", ports, 1, 4, "accesses per bank per cycle");
    v.value("read_latency_cycles", read_latency_cycles, 0, 1000, "cycles from request to data");
  }
};

struct NvmConfig {
  std::string tech = "rram";
  double capacity_kib = 1024;
  int banks = 8;
  int read_latency_cycles = 4;
  int write_latency_cycles = 25;
  int words_per_cycle_per_bank = 1;

  template <class V>
  void visit(V& v) {
    v.value("tech", tech, "technology preset: rram, pcm or stt_mram (read energy per access)");
    v.value("capacity_kib", capacity_kib, 1.0, 16777216.0, "weight memory capacity in KiB");
    v.value("banks", banks, 1, 1024, "independent banks");
    v.value("read_latency_cycles", read_latency_cycles, 0, 10000, "cycles from request to data");
    v.value("write_latency_cycles", write_latency_cycles, 1, 100000,
            "cycles per word write (March test before deployment; RRAM SET/RESET ~50 ns)");
    v.value("words_per_cycle_per_bank", words_per_cycle_per_bank, 1, 1024,
            "weight words one bank delivers per cycle");
  }
};

struct AcceleratorConfig {
  ArrayConfig array;
  double clock_mhz = 500;
  WeightLoad weight_load = WeightLoad::kSerial;
  bool ideal_memory = false;
  SramConfig ifmap_sram;
  SramConfig ofmap_sram;
  NvmConfig nvm;
  int post_processing_lanes = 16;
  int post_processing_latency_cycles = 4;

  template <class V>
  void visit(V& v) {
    v.section("array", array, "systolic array shape");
    v.value("clock_mhz", clock_mhz, 1.0, 10000.0, "clock frequency in MHz");
    v.choice("weight_load", weight_load,
             EnumNames<WeightLoad>{{"serial", WeightLoad::kSerial},
                                   {"overlapped", WeightLoad::kOverlapped}},
             "weight-load schedule (docs/timing.md)");
    v.value("ideal_memory", ideal_memory, "SRAM and NVM never stall");
    v.section("ifmap_sram", ifmap_sram, "input feature map buffer");
    v.section("ofmap_sram", ofmap_sram, "output / partial-sum buffer");
    v.section("nvm", nvm, "NVM weight memory");
    v.value("post_processing_lanes", post_processing_lanes, 1, 4096,
            "elements the post-processing unit finishes per cycle");
    v.value("post_processing_latency_cycles", post_processing_latency_cycles, 0, 1000,
            "pipeline depth of the post-processing unit (bias, requantize, activation)");
  }
};

struct MitigationConfig {
  MitigationScheme scheme = MitigationScheme::kNone;
  DefectMapSource defect_map = DefectMapSource::kOracle;
  int secded_group_words = 1;
  int decoder_latency_cycles = 0;

  template <class V>
  void visit(V& v) {
    v.choice("scheme", scheme, EnumNames<MitigationScheme>(mitigation_scheme_names()),
             "deploy-time weight encoder and its read-path decoder (docs/faults.md)");
    v.choice("defect_map", defect_map,
             EnumNames<DefectMapSource>{{"oracle", DefectMapSource::kOracle},
                                        {"march", DefectMapSource::kMarch}},
             "stuck cells the encoder knows: the true map, or the one a March C- test finds");
    v.value("secded_group_words", secded_group_words, 1, 32,
            "scheme secded: weight words sharing one SEC-DED codeword (group x bits <= 64)");
    v.value("decoder_latency_cycles", decoder_latency_cycles, 0, 100,
            "cycles the read-path decoder adds to every NVM weight read");
  }
};

struct StuckAtConfig {
  double rate = 0.0;
  double sa1_fraction = 0.8;
  StuckAtPreset preset = StuckAtPreset::kCustom;
  StuckAtPattern pattern = StuckAtPattern::kUniform;
  double cluster_probability = 0.5;
  int word_line_cells = 1024;
  uint64_t seed = 0;
  std::string map_file;

  template <class V>
  void visit(V& v) {
    v.value("rate", rate, 0.0, 1.0, "probability that an NVM cell is stuck");
    v.value("sa1_fraction", sa1_fraction, 0.0, 1.0,
            "fraction of stuck cells stuck at 1 (001: RRAM 0.8); ignored unless preset is custom");
    v.choice("preset", preset,
             EnumNames<StuckAtPreset>{{"custom", StuckAtPreset::kCustom},
                                      {"rram", StuckAtPreset::kRram},
                                      {"pcm", StuckAtPreset::kPcm}},
             "sa1 fraction preset: rram 0.8, pcm 0.5, custom = sa1_fraction");
    v.choice("pattern", pattern,
             EnumNames<StuckAtPattern>{{"uniform", StuckAtPattern::kUniform},
                                       {"word_line", StuckAtPattern::kWordLine},
                                       {"bit_line", StuckAtPattern::kBitLine}},
             "spatial pattern of the stuck cells");
    v.value("cluster_probability", cluster_probability, 0.0, 0.99,
            "clustered patterns: probability a defect continues to the next cell of its line");
    v.value("word_line_cells", word_line_cells, 8, 1 << 20,
            "cells per word line (row) of an NVM bank, for the clustered patterns");
    v.value("seed", seed, uint64_t{0}, std::numeric_limits<uint64_t>::max(),
            "defect-map seed; 0 = derive from the experiment seed");
    v.value("map_file", map_file, "load this defect map (docs/faults.md) instead of drawing one");
  }
};

struct BitFlipConfig {
  BitFlipMode mode = BitFlipMode::kNone;
  double rate = 0.0;
  int64_t count = 1;
  std::string layer;
  int bit = -1;
  uint64_t seed = 0;

  template <class V>
  void visit(V& v) {
    v.choice("mode", mode,
             EnumNames<BitFlipMode>{{"none", BitFlipMode::kNone},
                                    {"random", BitFlipMode::kRandom},
                                    {"msb", BitFlipMode::kMsb},
                                    {"targeted", BitFlipMode::kTargeted}},
             "transient flips: random (per bit), msb (per word, 000), targeted (count, 003)");
    v.value("rate", rate, 0.0, 1.0, "random: per-bit flip probability; msb: per-word probability");
    v.value("count", count, int64_t{0}, int64_t{1} << 40, "targeted: number of flipped words");
    v.value("layer", layer, "layer name or index into the model's layer list; empty = all layers");
    v.value("bit", bit, -1, 31, "targeted: bit position to flip; -1 = uniformly random bit");
    v.value("seed", seed, uint64_t{0}, std::numeric_limits<uint64_t>::max(),
            "flip seed; 0 = derive from the experiment seed");
  }
};

struct WeightFaultsConfig {
  StuckAtConfig stuck_at;
  BitFlipConfig bitflip;

  template <class V>
  void visit(V& v) {
    v.section("stuck_at", stuck_at, "permanent stuck-at cells of the NVM weight memory");
    v.section("bitflip", bitflip, "transient flips of stored weight bits");
  }
};

struct ActivationFaultsConfig {
  BitFlipConfig bitflip;

  template <class V>
  void visit(V& v) {
    v.section("bitflip", bitflip, "transient flips of activations in the SRAM buffers");
  }
};

struct FaultsConfig {
  WeightFaultsConfig weights;
  ActivationFaultsConfig activations;
  std::vector<std::string> scheduled_flips;  // "cycle:memory:address:bit" (cycle engine only)

  template <class V>
  void visit(V& v) {
    v.section("weights", weights, "faults of the NVM weight memory");
    v.section("activations", activations, "faults of the SRAM activation buffers");
    v.value("scheduled_flips", scheduled_flips,
            "cycle engine: single bit flips \"cycle:memory:address:bit\", memory nvm, ifmap or "
            "ofmap (docs/faults.md, scheduled flips)");
  }
};

struct TraceConfig {
  bool enabled = false;
  std::string file = "trace.vcd";
  std::vector<std::string> scopes;  // globs over hierarchical names; empty = everything
  uint64_t start_cycle = 0;
  uint64_t end_cycle = std::numeric_limits<uint64_t>::max();

  template <class V>
  void visit(V& v) {
    v.value("enabled", enabled, "write a VCD trace");
    v.value("file", file, "VCD file name, relative to the output directory");
    v.value("scopes", scopes, "globs of hierarchical signal names to trace; empty = all");
    v.value("start_cycle", start_cycle, uint64_t{0}, std::numeric_limits<uint64_t>::max(),
            "first traced cycle");
    v.value("end_cycle", end_cycle, uint64_t{0}, std::numeric_limits<uint64_t>::max(),
            "last traced cycle");
  }
};

struct OutputConfig {
  std::string dir = "out";
  TraceConfig trace;

  template <class V>
  void visit(V& v) {
    v.value("dir", dir, "output directory (overridden by --out)");
    v.section("trace", trace, "VCD tracing");
  }
};

enum class PeriodUnit { kInferences, kCycles };
enum class DefectGrowth { kConstant, kPower, kExponential };

/// `safsim selftest`: the lifetime timeline (docs/lifetime.md). Accuracy is evaluated on the
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

/// The SelfTestController (000): test images run every `period`, compared with golden results.
struct SelfTestConfig {
  bool enabled = false;
  std::string testset;
  uint64_t period = 1000;
  PeriodUnit period_unit = PeriodUnit::kInferences;
  int min_mismatches = 1;
  double logit_threshold = 0;
  LifetimeConfig lifetime;

  template <class V>
  void visit(V& v) {
    v.value("enabled", enabled, "safsim run: load the SelfTestController with the test set");
    v.value("testset", testset, "testset.json (safsim select) with the golden results");
    v.value("period", period, uint64_t{1}, uint64_t{1} << 62,
            "a self-test starts every `period` inferences or cycles");
    v.choice("period_unit", period_unit,
             EnumNames<PeriodUnit>{{"inferences", PeriodUnit::kInferences},
                                   {"cycles", PeriodUnit::kCycles}},
             "unit of selftest.period");
    v.value("min_mismatches", min_mismatches, 1, 1000000,
            "k: flag when at least k test images change their top-1");
    v.value("logit_threshold", logit_threshold, 0.0, 1e30,
            "also flag when a logit moves more than this (L-inf, real units); 0 = off");
    v.section("lifetime", lifetime, "safsim selftest: the lifetime model");
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

/// Every key with its resolved value, as YAML (config.resolved.yaml). Adds `version`.
std::string dump_config(const Config& c);

}  // namespace safsim
