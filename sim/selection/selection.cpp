// Strategies and the scorer (selection.h). Per-image work runs on a fixed set of threads, each
// image writing only its own slot, so the scores do not depend on the thread count.
#include "sim/selection/selection.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>

#include "base/did_you_mean.h"
#include "base/errors.h"
#include "base/parallel.h"
#include "base/random_stream.h"
#include "memory/deployment.h"
#include "sim/config/json.h"
#include "sim/engines/backward.h"
#include "sim/engines/functional_engine.h"
#include "sim/progress.h"
#include "sim/selection/cover.h"
#include "sim/selection/scores.h"

namespace safsim {
namespace {

// Calls f(i) for i in [0, n) on `threads` threads, counting each in `progress`.
template <class F>
void parallel_for(int n, int threads, ProgressLine& progress, F&& f) {
  std::atomic<int> next{0};
  std::mutex report;
  auto worker = [&] {
    for (int i = next++; i < n; i = next++) {
      f(i);
      std::lock_guard<std::mutex> lock(report);
      progress.add(1);
    }
  };
  run_on_threads(std::max(1, std::min(threads, n)), [&](int) { worker(); });
  progress.finish();
}

std::vector<double> row_logits(const Logits& l, int row) {
  std::vector<double> z(size_t(l.classes));
  for (int c = 0; c < l.classes; ++c) {
    z[size_t(c)] = l.value(row, c);
  }
  return z;
}

}  // namespace

const std::vector<std::pair<std::string, SelectionStrategy>>& selection_strategies() {
  static const std::vector<std::pair<std::string, SelectionStrategy>> names = {
      {"corner", SelectionStrategy::kCorner},
      {"grad", SelectionStrategy::kGrad},
      {"corner_grad", SelectionStrategy::kCornerGrad},
      {"prob_distrib", SelectionStrategy::kProbDistrib},
      {"coverage", SelectionStrategy::kCoverage},
      {"random", SelectionStrategy::kRandom},
      {"sensitivity", SelectionStrategy::kSensitivity},
  };
  return names;
}

const char* to_string(SelectionStrategy s) {
  for (const auto& [name, value] : selection_strategies()) {
    if (value == s) {
      return name.c_str();
    }
  }
  return "?";
}

SelectionStrategy parse_selection_strategy(const std::string& name, const std::string& where) {
  std::vector<std::string> names;
  for (const auto& [n, value] : selection_strategies()) {
    if (n == name) {
      return value;
    }
    names.push_back(n);
  }
  const std::string guess = did_you_mean(name, names);
  throw UserError(fmt::format("{}: unknown strategy '{}'{}; allowed: {}", where, name,
                              guess.empty() ? "" : fmt::format(" (did you mean '{}'?)", guess),
                              fmt::join(names, ", ")));
}

struct ImageScorer::Cache {
  std::optional<Logits> golden;
  std::vector<double> corner, prob_distrib, activation;
  std::vector<double> grad[2];  // by GradientLabel
  std::vector<std::vector<uint8_t>> coverage;
};

ImageScorer::ImageScorer(const Config& c, const Workload& w)
    : c_(c), w_(w), cache_(std::make_unique<Cache>()) {}
ImageScorer::~ImageScorer() = default;

ProgressLine ImageScorer::progress(const char* what, int64_t total) const {
  return ProgressLine(fmt::format("select: {}", what), "images", total, 0, progress_style_);
}

const Logits& ImageScorer::golden() {
  if (!cache_->golden) {
    const FunctionalEngine engine(w_.qmodel, w_.weights, c_.threads);
    ProgressLine p = progress("golden run", w_.images.count);
    cache_->golden = engine.run(w_.images, [&](int n) { p.add(n); });
    p.finish();
  }
  return *cache_->golden;
}

const std::vector<double>& ImageScorer::corner() {
  if (cache_->corner.empty()) {
    const Logits& g = golden();
    for (int i = 0; i < g.images; ++i) {
      cache_->corner.push_back(corner_score(row_logits(g, i)));
    }
  }
  return cache_->corner;
}

const std::vector<double>& ImageScorer::prob_distrib() {
  if (cache_->prob_distrib.empty()) {
    const Logits& g = golden();
    for (int i = 0; i < g.images; ++i) {
      cache_->prob_distrib.push_back(prob_distrib_score(row_logits(g, i)));
    }
  }
  return cache_->prob_distrib;
}

const std::vector<double>& ImageScorer::grad(GradientLabel label) {
  std::vector<double>& out = cache_->grad[int(label)];
  if (!out.empty()) {
    return out;
  }
  const QuantModel& qm = w_.qmodel;
  if (label == GradientLabel::kTrue) {
    require_labels(w_, "gradients towards the true label need them (use the golden label)");
  }
  if (qm.is_float()) {
    throw UserError(fmt::format(
        "strategies grad and corner_grad need integer weights (Eq. 2 of 000 counts bit flips of "
        "a Q-bit integer); quant.weight_format is {}",
        to_string(qm.weight_format.format)));
  }
  const Logits& g = golden();
  // Coefficient of every weight: A_w of Eq. 2 times the weight's scale, so that multiplying by
  // the real gradient gives A_w * dL/dw in LSB units.
  std::vector<float> coefficient;
  for (size_t l = 0; l < qm.layers.size(); ++l) {
    const QLayer& q = qm.layers[l];
    if (q.kind != QOpKind::kArray) {
      continue;
    }
    const std::vector<uint32_t> words = w_.weights.read_path.decode_words(w_.weights.stored[l]);
    for (size_t i = 0; i < words.size(); ++i) {
      coefficient.push_back(float(expected_flip_deviation(w_.weights.read_path.format, words[i]) *
                                  q.weight_scale[i / size_t(q.reduction)]));
    }
  }
  const FunctionalEngine engine(qm, w_.weights, 1);
  const BackwardPass backward(qm, w_.weights, engine);
  out.assign(size_t(g.images), 0.0);
  ProgressLine p = progress("gradients", g.images);
  parallel_for(g.images, resolve_threads(c_.threads), p, [&](int i) {
    const int target = label == GradientLabel::kGolden ? g.top1(i) : w_.images.labels[size_t(i)];
    const WeightGradient wg = backward.weight_gradient(w_.images.image(i), target);
    std::vector<float> flat;
    flat.reserve(coefficient.size());
    for (const std::vector<float>& layer : wg) {
      flat.insert(flat.end(), layer.begin(), layer.end());
    }
    out[size_t(i)] = grad_score(coefficient, flat);
  });
  return out;
}

const std::vector<std::vector<uint8_t>>& ImageScorer::coverage_rows() {
  if (cache_->coverage.empty()) {
    const FunctionalEngine engine(w_.qmodel, w_.weights, 1);
    const int n = w_.images.count;
    cache_->coverage.resize(size_t(n));
    cache_->activation.resize(size_t(n));
    ProgressLine p = progress("coverage", n);
    parallel_for(n, resolve_threads(c_.threads), p, [&](int i) {
      NeuronCoverage nc = neuron_coverage(
          w_.qmodel, dequantized_activations(w_.qmodel, engine, w_.images.image(i)));
      cache_->coverage[size_t(i)] = std::move(nc.active);
      cache_->activation[size_t(i)] = nc.score;
    });
  }
  return cache_->coverage;
}

const std::vector<double>& ImageScorer::activation_score() {
  coverage_rows();
  return cache_->activation;
}

std::vector<double> ImageScorer::sensitivity(int maps, const BitFlipConfig& faults) {
  const Logits& g = golden();
  FaultsConfig fc = c_.faults;
  fc.weights.bitflip = faults;
  // Maps of their own: the selection seed is keyed apart from the seeds an experiment draws
  // its evaluation maps with.
  const uint64_t seed = mix64(c_.seed ^ purpose_hash("sensitivity_selection"));
  std::vector<int> changed(size_t(g.images), 0);
  ProgressLine p = progress("fault maps", int64_t(maps) * g.images);
  for (int m = 0; m < maps; ++m) {
    const DeployedWeights weights =
        deploy(w_.qmodel, fc, c_.mitigation, seed, uint64_t(m), nullptr);
    const Logits faulty =
        FunctionalEngine(w_.qmodel, weights, c_.threads).run(w_.images, [&](int n) { p.add(n); });
    for (int i = 0; i < g.images; ++i) {
      changed[size_t(i)] += faulty.top1(i) != g.top1(i);
    }
  }
  p.finish();
  std::vector<double> share(changed.size());
  for (size_t i = 0; i < changed.size(); ++i) {
    share[i] = maps > 0 ? double(changed[i]) / maps : 0.0;
  }
  return share;
}

std::vector<std::pair<int, double>> top_by_score(const std::vector<double>& score, int count,
                                                 bool ascending) {
  std::vector<int> rows(score.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i] = int(i);
  }
  const size_t n = std::min(rows.size(), size_t(std::max(count, 0)));
  std::partial_sort(rows.begin(), rows.begin() + long(n), rows.end(), [&](int a, int b) {
    const double sa = score[size_t(a)], sb = score[size_t(b)];
    if (sa != sb) {
      return ascending ? sa < sb : sa > sb;
    }
    return a < b;
  });
  std::vector<std::pair<int, double>> top;
  for (size_t i = 0; i < n; ++i) {
    top.emplace_back(rows[i], score[size_t(rows[i])]);
  }
  return top;
}

std::vector<std::pair<int, double>> rank_candidates(ImageScorer& scorer,
                                                    const SelectionOptions& o) {
  switch (o.strategy) {
    case SelectionStrategy::kCorner:
      return top_by_score(scorer.corner(), o.count, /*ascending=*/true);
    case SelectionStrategy::kProbDistrib:
      return top_by_score(scorer.prob_distrib(), o.count, false);
    case SelectionStrategy::kGrad:
      return top_by_score(scorer.grad(o.label), o.count, false);
    case SelectionStrategy::kCornerGrad: {
      const std::vector<double>& gs = scorer.grad(o.label);
      const std::vector<double>& cs = scorer.corner();
      std::vector<double> s(gs.size());
      for (size_t i = 0; i < s.size(); ++i) {
        s[i] = corner_grad_score(gs[i], cs[i]);
      }
      return top_by_score(s, o.count, false);
    }
    case SelectionStrategy::kCoverage: {
      const std::vector<int> rows = greedy_cover(scorer.coverage_rows(), scorer.activation_score());
      std::vector<std::pair<int, double>> picked;
      for (const int r : rows) {
        if (o.count > 0 && int(picked.size()) == o.count) {
          break;
        }
        picked.emplace_back(r, scorer.activation_score()[size_t(r)]);
      }
      return picked;
    }
    case SelectionStrategy::kRandom: {
      const RandomStream rng(scorer.config().seed, 0, "random_selection");
      std::vector<double> key(size_t(scorer.workload().images.count));
      for (size_t i = 0; i < key.size(); ++i) {
        key[i] = rng.uniform_at(i);
      }
      return top_by_score(key, o.count, true);
    }
    case SelectionStrategy::kSensitivity:
      return top_by_score(scorer.sensitivity(o.sensitivity_maps, o.sensitivity_faults), o.count,
                          false);
  }
  return {};
}

TestSet select_test_set(ImageScorer& scorer, const SelectionOptions& o) {
  const Workload& w = scorer.workload();
  const int pool = w.images.count;
  if (o.count < 0 || o.count > pool ||
      (o.count == 0 && o.strategy != SelectionStrategy::kCoverage)) {
    throw UserError(fmt::format(
        "count must be in [1, {}] (the candidate images{}), got {}", pool,
        o.strategy == SelectionStrategy::kCoverage ? "; 0 = as many as the cover needs" : "",
        o.count));
  }
  const auto t0 = std::chrono::steady_clock::now();
  const Logits& golden = scorer.golden();
  const std::vector<std::pair<int, double>> picked = rank_candidates(scorer, o);
  TestSet t;
  t.selection_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const Config& c = scorer.config();
  t.strategy = to_string(o.strategy);
  t.dataset = c.workload.dataset;
  t.model = c.workload.model;
  t.model_hash = deployed_model_hash(w.qmodel, w.weights);
  t.is_float = w.qmodel.is_float();
  t.logit_scale = golden.scale;
  t.config = config_to_json(c);
  for (const auto& [row, score] : picked) {
    TestImage im = golden_image(golden, row);
    im.index = int(w.images.first_index) + row;
    im.score = score;
    t.images.push_back(std::move(im));
  }
  return t;
}

}  // namespace safsim
