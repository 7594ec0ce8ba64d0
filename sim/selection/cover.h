// Neuron-coverage selection of 000 §III-E: which neurons each image activates (Eq. 6), how
// strongly (Eq. 7), and the greedy minimum set cover over them (Algorithm 1 of 000).
#pragma once

#include <cstdint>
#include <vector>

#include "workloads/quant_model.h"

namespace safsim {

/// One image's coverage row: a bit per neuron and score_activation.
struct NeuronCoverage {
  std::vector<uint8_t> active;  // per neuron: 1 when activated (Eq. 6)
  double score = 0.0;           // score_activation (Eq. 7)
};

/// Neurons are the output channels of the array layers (conv filters and linear units), in layer
/// order. Channel i of a layer is active when sum over positions of ReLU(e) > 0 (Eq. 6), where e
/// is the channel's real output for ReLU and linear layers and s - 1/2 for Sigmoid layers (the
/// sign of the pre-activation); score_activation sums ReLU(e) over every neuron (Eq. 7).
/// `values` are the real outputs of every QuantModel layer (CHW).
NeuronCoverage neuron_coverage(const QuantModel& qm, const std::vector<std::vector<float>>& values);

/// Algorithm 1 of 000. Rows are images, columns neurons. First every row that is the only one to
/// activate some column (lines 3-5, in row order), then repeatedly the row covering most
/// still-uncovered columns, ties to the higher `score` then the lower row (lines 6-13), until
/// every column some row activates is covered. Returns the chosen rows in the order chosen.
///   greedy_cover({{1,0},{0,1},{1,1}}, {0,0,0}) == {0, 1}   // both rows are unique for a column
std::vector<int> greedy_cover(const std::vector<std::vector<uint8_t>>& rows,
                              const std::vector<double>& score);

}  // namespace safsim
