// The numerical image scores of 000 §III: corner case (Eq. 1), gradient (Eq. 2), corner/gradient
// (Eq. 3) and output probability distribution (Eq. 5), computed from one image's outputs.
#pragma once

#include <cstdint>
#include <vector>

#include "workloads/word_format.h"

namespace safsim {

/// Eq. 1 of 000: max_1(p) - max_2(p) of the softmax p of the real logits. Small = close call.
///   corner_score({2.0, 1.9, -1.0}) ~= 0.04
double corner_score(const std::vector<double>& logits);

/// Eq. 5 of 000: 1 - max(z) / sum(ReLU(z)) of the output vector z itself (our networks end in a
/// linear layer, so z holds negative entries, the case Eq. 5 was written for). When no output is
/// positive the vector carries no evidence at all: the score is 1, the flattest possible.
double prob_distrib_score(const std::vector<double>& logits);

/// Part A of Eq. 2 of 000: the mean change of the integer weight of `word` over the single flips
/// of each of its bits, in LSB units; (-2w - 1) / Q for Q-bit two's complement. Computed through
/// WordFormat::to_int, so it holds for every integer format. Float formats throw.
double expected_flip_deviation(const WordFormat& f, uint32_t word);

/// Eq. 2 of 000: sum_w ReLU(A_w * B_w), A_w = expected_flip_deviation of weight w, B_w = dL/dw in
/// LSB units (the real gradient times the weight's scale). `deviation` and `gradient_lsb` are
/// flat over all weights, in the same order.
double grad_score(const std::vector<float>& deviation, const std::vector<float>& gradient_lsb);

/// Eq. 3 of 000: score_grad / (1 + score_corner).
inline double corner_grad_score(double grad, double corner) { return grad / (1.0 + corner); }

}  // namespace safsim
