// Per-neuron single-flip failure rates: images are shared out to threads, each thread replays
// every neuron's flip on its images and keeps its own integer counts, summed at the end.
#include "sim/analysis/neuron_failures.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "base/parallel.h"
#include "memory/fault_model.h"
#include "sim/analysis/flip_replay.h"

namespace safsim {

std::vector<Neuron> neuron_population(const QuantModel& qm, const std::string& layer) {
  std::vector<LayerSpan> spans;
  int64_t words = 0;
  for (size_t i = 0; i < qm.layers.size(); ++i) {
    const QLayer& q = qm.layers[i];
    if (q.kind == QOpKind::kFlatten) {
      continue;  // flatten renames its input's words; it has none of its own
    }
    spans.push_back({static_cast<int>(i), q.name, words, q.out_shape.size()});
    words += q.out_shape.size();
  }
  std::vector<Neuron> out;
  for (const LayerSpan& s : select_layers(spans, layer)) {
    for (int64_t e = 0; e < s.words; ++e) {
      out.push_back({s.layer_index, e});
    }
  }
  return out;
}

NeuronFailures neuron_failures(const DecodedModel& m, const Dataset& images,
                               std::vector<Neuron> neurons, const NeuronFailureOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  NeuronFailures r;
  r.neurons = std::move(neurons);
  r.images = images.count;
  const size_t n = r.neurons.size();
  std::vector<uint32_t> masks(n);
  for (size_t i = 0; i < n; ++i) {
    const int bits = m.qm.layers[r.neurons[i].layer].out_q.bits;
    masks[i] = 1u << (o.bit < 0 ? bits - 1 : std::min(o.bit, 31));
  }
  const int threads = std::max(1, std::min(o.threads, images.count));
  std::vector<std::vector<int64_t>> counts(threads, std::vector<int64_t>(n, 0));
  std::vector<int64_t> correct(threads, 0);
  std::atomic<int> next{0};
  std::mutex print;
  ProgressLine progress("neuron-failures", "images", images.count, 0, o.progress);
  auto worker = [&](int w) {
    FlipReplay replay(m);
    ImageTrace t;
    for (int i = next++; i < images.count; i = next++) {
      trace_image(m, images.image(i), t);
      const int label = images.labels[i];
      if (t.top1 == label) {
        ++correct[w];
        std::vector<int64_t>& c = counts[w];
        for (size_t k = 0; k < n; ++k) {
          if (replay.top1_with_flip(t, r.neurons[k].layer, r.neurons[k].element, masks[k]) !=
              label) {
            ++c[k];
          }
        }
      }
      std::lock_guard<std::mutex> lock(print);
      progress.add(1);
    }
  };
  run_on_threads(threads, worker);
  progress.finish();
  r.failures.assign(n, 0);
  for (int w = 0; w < threads; ++w) {
    r.correct_images += correct[w];
    for (size_t k = 0; k < n; ++k) {
      r.failures[k] += counts[w][k];
    }
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

std::vector<int64_t> failure_histogram(const NeuronFailures& f, int bins) {
  std::vector<int64_t> h(std::max(1, bins), 0);
  for (size_t i = 0; i < f.neurons.size(); ++i) {
    // Integer bin index: a rate exactly on an edge falls into the upper bin, never by rounding.
    const int64_t b = f.correct_images > 0 ? f.failures[i] * bins / f.correct_images : 0;
    ++h[std::min<int64_t>(bins - 1, b)];
  }
  return h;
}

}  // namespace safsim
