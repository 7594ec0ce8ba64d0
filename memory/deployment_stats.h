// What deployment did to the weights: defects, non-silent faults (001 Table 3), weight deviation
// before / after encoding with its log2 histogram (001 Fig. 9), March cost and flips.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace safsim {

/// Each field is listed once, in visit() (docs/design.md, "Statistics"). Deviations are |decoded -
/// quantized| in integer LSBs over every weight; "before" is the unencoded word with the stuck bits
/// (scheme none), "after" is the scheme's word with the stuck bits; both before transient flips.
/// Histogram bin x counts weights with deviation in [2^x, 2^(x+1)) (001 Fig. 9).
///   DeploymentStats st;
///   deploy(qm, faults, mitigation, seed, trial, &st);
///   st.visit([](const char* name, const auto& value) { ... });
struct DeploymentStats {
  static constexpr int kHistogramBins = 17;  // deviations up to 2^17 - 1 (Q <= 16)

  int64_t weights = 0;
  int64_t stored_words = 0;     // weights + SEC-DED padding words
  int64_t stored_bits = 0;      // cells holding the deployed words (check bits included)
  int64_t memory_words = 0;     // words of the weight memory
  int64_t defective_cells = 0;  // stuck cells in the words holding weights
  int64_t stuck_at_one_cells = 0;
  int64_t non_silent_faults = 0;  // stuck cells whose value differs from the intended bit
  int64_t weights_with_1_non_silent = 0;
  int64_t weights_with_2plus_non_silent = 0;
  int64_t known_defective_cells = 0;  // cells in the map the encoder used (oracle or March)
  int64_t march_operations = 0;
  uint64_t march_cycles = 0;
  int64_t weight_flips_injected = 0;
  int64_t weight_flips_effective = 0;  // flips that changed a cell (not on a stuck cell)
  int64_t secded_corrected_words = 0;  // codewords, before transient flips
  int64_t secded_detected_words = 0;
  int64_t decoder_xor2_gates = 0;
  int64_t decoder_and2_gates = 0;
  int64_t decoder_latency_cycles = 0;
  int64_t deviated_weights_before = 0;
  int64_t deviated_weights_after = 0;
  double mean_abs_deviation_before = 0.0;
  double mean_abs_deviation_after = 0.0;
  int64_t max_abs_deviation_before = 0;
  int64_t max_abs_deviation_after = 0;
  std::vector<int64_t> deviation_histogram_before = std::vector<int64_t>(kHistogramBins, 0);
  std::vector<int64_t> deviation_histogram_after = std::vector<int64_t>(kHistogramBins, 0);
  // Per output channel: |sum over its weights of (decoded - quantized)|, in LSBs, the error the
  // channel's accumulator sees for equal inputs (mitigation.ties balanced drives it to zero).
  int64_t output_channels = 0;
  double mean_abs_channel_deviation_before = 0.0;
  double mean_abs_channel_deviation_after = 0.0;
  // mitigation.bias_compensation mean (sim/bias_compensation.h), in accumulator LSBs, over every
  // output channel: |sum_k dw_k * E[a_k]| the deviations the deployer knows would add, and the
  // bias shifts that take it out (rounded; 0 when compensation is off).
  double mean_abs_expected_change = 0.0;
  double mean_abs_bias_shift = 0.0;
  int64_t max_abs_bias_shift = 0;

  template <class F>
  void visit(F&& f) const {
    f("weights", weights);
    f("stored_words", stored_words);
    f("stored_bits", stored_bits);
    f("memory_words", memory_words);
    f("defective_cells", defective_cells);
    f("stuck_at_one_cells", stuck_at_one_cells);
    f("non_silent_faults", non_silent_faults);
    f("weights_with_1_non_silent", weights_with_1_non_silent);
    f("weights_with_2plus_non_silent", weights_with_2plus_non_silent);
    f("known_defective_cells", known_defective_cells);
    f("march_operations", march_operations);
    f("march_cycles", march_cycles);
    f("weight_flips_injected", weight_flips_injected);
    f("weight_flips_effective", weight_flips_effective);
    f("secded_corrected_words", secded_corrected_words);
    f("secded_detected_words", secded_detected_words);
    f("decoder_xor2_gates", decoder_xor2_gates);
    f("decoder_and2_gates", decoder_and2_gates);
    f("decoder_latency_cycles", decoder_latency_cycles);
    f("deviated_weights_before", deviated_weights_before);
    f("deviated_weights_after", deviated_weights_after);
    f("mean_abs_deviation_before", mean_abs_deviation_before);
    f("mean_abs_deviation_after", mean_abs_deviation_after);
    f("max_abs_deviation_before", max_abs_deviation_before);
    f("max_abs_deviation_after", max_abs_deviation_after);
    f("deviation_histogram_before", deviation_histogram_before);
    f("deviation_histogram_after", deviation_histogram_after);
    f("output_channels", output_channels);
    f("mean_abs_channel_deviation_before", mean_abs_channel_deviation_before);
    f("mean_abs_channel_deviation_after", mean_abs_channel_deviation_after);
    f("mean_abs_expected_change", mean_abs_expected_change);
    f("mean_abs_bias_shift", mean_abs_bias_shift);
    f("max_abs_bias_shift", max_abs_bias_shift);
  }
};

/// Histogram bin of a deviation >= 1: floor(log2(d)).
int deviation_bin(int64_t deviation);

/// DIR/deviation.csv: `log2_bin,min_deviation,max_deviation,weights_before,weights_after`.
std::string deviation_csv(const DeploymentStats& s);

}  // namespace safsim
