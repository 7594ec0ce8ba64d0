// Per-neuron failure rates under a single bit flip (002 Sec. V-D, Figs. 3, 4): the share of
// originally correctly classified images that a flip of one neuron's output word misclassifies.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/analysis/network_trace.h"
#include "sim/progress.h"
#include "workloads/dataset.h"

namespace safsim {

/// One neuron: an activation word of a layer's output (CHW element), the words
/// ActivationFaultPlan can flip (every layer output but flatten).
struct Neuron {
  int layer = 0;
  int64_t element = 0;
};

/// Every activation word of the selected layers (`layer`: name or index; empty = all), in
/// layer order. Unknown layer: UserError naming the layers.
std::vector<Neuron> neuron_population(const QuantModel& qm, const std::string& layer);

struct NeuronFailureOptions {
  int bit = -1;     // bit of the activation word to flip; -1 = its MSB (bits - 1)
  int threads = 1;  // images are shared out; counts do not depend on it
  ProgressStyle progress = ProgressStyle::kNone;  // images done, on stderr
};

struct NeuronFailures {
  std::vector<Neuron> neurons;
  std::vector<int64_t> failures;  // per neuron: correctly classified images it misclassifies
  int64_t correct_images = 0;     // images classified correctly without faults
  int64_t images = 0;
  double seconds = 0.0;

  double rate(size_t i) const {
    return correct_images > 0 ? double(failures[i]) / double(correct_images) : 0.0;
  }
};

/// Flips `bit` of each neuron's word (flip_activation_code) for every image, one neuron at a
/// time, and counts failures. Each image's fault-free pass is traced once; each flip replays
/// only its cone (FlipReplay).
///   NeuronFailures f = neuron_failures(dm, images, neuron_population(qm, ""), {-1, 2, true});
NeuronFailures neuron_failures(const DecodedModel& m, const Dataset& images,
                               std::vector<Neuron> neurons, const NeuronFailureOptions& o);

/// Neurons per failure-rate bin: `bins` equal bins over [0, 1], the last one closed.
std::vector<int64_t> failure_histogram(const NeuronFailures& f, int bins);

}  // namespace safsim
