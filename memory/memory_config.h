// The config sections of the memories and their faults: SRAM buffers, the NVM weight memory,
// weight and activation fault models and deploy-time mitigation (docs/faults.md).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "base/enum_names.h"
#include "memory/fault_options.h"
#include "memory/nvm_tech.h"
#include "memory/read_path_decoder.h"

namespace safsim {

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
    v.choice("tech", tech, nvm_tech_names(),
             "technology preset: read energy per access (docs/architecture.md)");
    v.value("capacity_kib", capacity_kib, 1.0, 16777216.0, "weight memory capacity in KiB");
    v.value("banks", banks, 1, 1024, "independent banks");
    v.value("read_latency_cycles", read_latency_cycles, 0, 10000, "cycles from request to data");
    v.value("write_latency_cycles", write_latency_cycles, 1, 100000,
            "cycles per word write (March test before deployment; RRAM SET/RESET ~50 ns)");
    v.value("words_per_cycle_per_bank", words_per_cycle_per_bank, 1, 1024,
            "weight words one bank delivers per cycle");
  }
};

/// mitigation.ties: which of two equally deviating encodings an encoder writes.
enum class TieRule {
  kLiteral,   // the scheme's own choice (001's algorithms as published)
  kBalanced,  // the one that keeps the output channel's running deviation closest to zero
};

/// mitigation.bias_compensation: what the deployer does with the deviations it knows of.
enum class BiasCompensation {
  kOff,
  kMean,  // each channel's bias absorbs the expected accumulator change (docs/faults.md)
};

struct MitigationConfig {
  MitigationScheme scheme = MitigationScheme::kNone;
  DefectMapSource defect_map = DefectMapSource::kOracle;
  int secded_group_words = 1;
  int decoder_latency_cycles = 0;
  TieRule ties = TieRule::kLiteral;
  int tie_slack = 1;
  BiasCompensation bias_compensation = BiasCompensation::kOff;

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
    v.choice("ties", ties,
             EnumNames<TieRule>{{"literal", TieRule::kLiteral}, {"balanced", TieRule::kBalanced}},
             "between two encodings of equal deviation: the scheme's own pick, or the one that "
             "keeps the output channel's running deviation nearest zero (no effect on none, "
             "secded)");
    v.value("tie_slack", tie_slack, 0, 4,
            "ties balanced: 0 takes only the encoding of equal and opposite deviation; s also "
            "takes any encoding up to s LSBs worse than the scheme's when that balances better");
    v.choice("bias_compensation", bias_compensation,
             EnumNames<BiasCompensation>{{"off", BiasCompensation::kOff},
                                         {"mean", BiasCompensation::kMean}},
             "mean: each output channel's int32 bias absorbs the expected accumulator change of "
             "its known weight deviations, measured on the calibration images (integer formats)");
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
  FaultKind mode = FaultKind::kNone;
  double rate = 0.0;
  int64_t count = 1;
  std::string layer;
  int bit = -1;
  uint64_t seed = 0;

  template <class V>
  void visit(V& v) {
    v.choice("mode", mode,
             EnumNames<FaultKind>{{"none", FaultKind::kNone},
                                  {"random", FaultKind::kRandomFlips},
                                  {"msb", FaultKind::kMsbFlips},
                                  {"targeted", FaultKind::kTargetedFlips}},
             "transient flips: random (per bit), msb (per word, 000), targeted (count, 003)");
    v.value("rate", rate, 0.0, 1.0, "random: per-bit flip probability; msb: per-word probability");
    v.value("count", count, int64_t{0}, int64_t{1} << 40, "targeted: number of flipped words");
    v.value("layer", layer, "layer name or index into the model's layer list; empty = all layers");
    v.value("bit", bit, -1, 31, "targeted: bit position to flip; -1 = uniformly random bit");
    v.value("seed", seed, uint64_t{0}, std::numeric_limits<uint64_t>::max(),
            "flip seed; 0 = derive from the experiment seed");
  }
};

/// faults.weights.read_errors: sensing errors of the NVM read path (docs/faults.md, read
/// errors). The stored words stay as written; only the word a read delivers to the decoder is
/// wrong, and every read draws afresh, so only the cycle engine (one read at a time) models it.
struct ReadErrorConfig {
  double ber = 0.0;
  uint64_t seed = 0;

  template <class V>
  void visit(V& v) {
    v.value("ber", ber, 0.0, 1.0,
            "cycle engine: probability that a cell read (check cells included) senses the wrong "
            "value, drawn anew for every read");
    v.value("seed", seed, uint64_t{0}, std::numeric_limits<uint64_t>::max(),
            "read-error seed; 0 = derive from the experiment seed");
  }
};

struct WeightFaultsConfig {
  StuckAtConfig stuck_at;
  BitFlipConfig bitflip;
  ReadErrorConfig read_errors;

  template <class V>
  void visit(V& v) {
    v.section("stuck_at", stuck_at, "permanent stuck-at cells of the NVM weight memory");
    v.section("bitflip", bitflip, "transient flips of stored weight bits");
    v.section("read_errors", read_errors,
              "sensing errors of every NVM read, the stored words unchanged (cycle engine)");
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

}  // namespace safsim
