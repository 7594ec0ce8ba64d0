// Test-image selection for the self-test (000 §III): score every candidate image of a workload
// with one strategy and keep the best N, with their golden results, as a TestSet.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hw_models/logits.h"
#include "hw_models/test_set.h"
#include "sim/config.h"
#include "sim/pipeline.h"
#include "sim/progress.h"

namespace safsim {

enum class SelectionStrategy {
  kCorner,       // Eq. 1 of 000, ascending
  kGrad,         // Eq. 2, descending
  kCornerGrad,   // Eq. 3, descending
  kProbDistrib,  // Eq. 5, descending
  kCoverage,     // Eq. 6-7 and Algorithm 1
  kRandom,       // baseline: a seeded uniform draw
  kSensitivity,  // baseline, reference [8] of 000: top-1 changes over injected fault maps
};

/// Every strategy with its name, in the order above.
const std::vector<std::pair<std::string, SelectionStrategy>>& selection_strategies();
const char* to_string(SelectionStrategy s);
/// Throws UserError "<where>: unknown strategy 'x' (did you mean 'y'?); allowed: ..."
SelectionStrategy parse_selection_strategy(const std::string& name, const std::string& where);

/// The class the loss of Eq. 2 is taken against: the fault-free top-1 (what the self-test
/// compares with) or the dataset label.
enum class GradientLabel { kGolden, kTrue };

struct SelectionOptions {
  SelectionStrategy strategy = SelectionStrategy::kProbDistrib;
  int count = 20;  // coverage: at most this many (0 = as many as the cover needs)
  GradientLabel label = GradientLabel::kGolden;
  int sensitivity_maps = 20;         // fault maps the sensitivity baseline injects
  BitFlipConfig sensitivity_faults;  // their weight flips (mode random, rate 0.5% by default)
  SelectionOptions() {
    sensitivity_faults.mode = FaultKind::kRandomFlips;
    sensitivity_faults.rate = 0.005;
  }
};

/// Scores of every candidate image (the workload's test images), computed on demand and kept,
/// so that several strategies on one workload share the golden run and the gradients.
///   ImageScorer scorer(config, workload);
///   TestSet t = select_test_set(scorer, opts);
class ImageScorer {
 public:
  /// `c` and `w` must outlive the scorer; w.weights is the deployment the golden results and
  /// scores are taken on. threads from c.threads (0: all cores); results do not depend on it.
  ImageScorer(const Config& c, const Workload& w);
  ~ImageScorer();

  const Config& config() const { return c_; }
  const Workload& workload() const { return w_; }
  /// Fault-free outputs of every candidate (functional engine).
  const Logits& golden();
  const std::vector<double>& corner();
  const std::vector<double>& prob_distrib();
  const std::vector<double>& grad(GradientLabel label);
  /// Coverage rows (Eq. 6) and score_activation (Eq. 7) of every candidate.
  const std::vector<std::vector<uint8_t>>& coverage_rows();
  const std::vector<double>& activation_score();
  /// Share of `maps` fault maps under which the candidate's top-1 differs from golden.
  std::vector<double> sensitivity(int maps, const BitFlipConfig& faults);
  /// How the scoring passes (golden run, gradients, coverage, fault maps) show their progress;
  /// none by default.
  void set_progress(ProgressStyle style) { progress_style_ = style; }

 private:
  ProgressLine progress(const char* what, int64_t total) const;

  struct Cache;
  const Config& c_;
  const Workload& w_;
  std::unique_ptr<Cache> cache_;
  ProgressStyle progress_style_ = ProgressStyle::kNone;
};

/// Runs the strategy and returns the TestSet (indices absolute in the dataset, golden results,
/// model hash, resolved config, selection_seconds of this call). Throws UserError when count
/// exceeds the candidates or the strategy needs integer weights (grad, corner_grad).
TestSet select_test_set(ImageScorer& scorer, const SelectionOptions& o);

/// The candidate rows a strategy picks, best first, with their scores (for tests and reports).
std::vector<std::pair<int, double>> rank_candidates(ImageScorer& scorer, const SelectionOptions& o);

/// Rows sorted by score (descending, or ascending for `ascending`), ties to the lower row;
/// the first `count`.
std::vector<std::pair<int, double>> top_by_score(const std::vector<double>& score, int count,
                                                 bool ascending);

}  // namespace safsim
