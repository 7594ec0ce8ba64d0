// deploy(): address map -> defect map -> encode -> stuck bits -> flips -> stats.
#include "memory/deployment.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "base/errors.h"
#include "memory/encoders/balanced_ties.h"
#include "memory/encoders/encoder.h"
#include "memory/encoders/secded.h"
#include "memory/faulty_cell_array.h"
#include "memory/march_test.h"

namespace safsim {
namespace {

int group_words_of(const MitigationConfig& m) {
  return scheme_row(m.scheme).max_group_data_bits > 0 ? m.secded_group_words : 1;
}

uint64_t or_seed(uint64_t own, uint64_t experiment) { return own != 0 ? own : experiment; }

int64_t words_needed(const std::vector<LayerSpan>& spans) {
  return spans.empty() ? 0 : spans.back().first_word + spans.back().words;
}

/// The memory geometry, checked against the model's size (and a loaded map, if any).
BankGeometry resolve_geometry(const FaultsConfig& f, const NvmTarget& nvm, int word_bits,
                              int64_t needed, const DefectMap* loaded) {
  const StuckAtConfig& sa = f.weights.stuck_at;
  BankGeometry g;
  if (loaded != nullptr) {
    if (nvm.geometry) {
      check_defect_map_fits(*loaded, *nvm.geometry, sa.map_file);
    } else if (loaded->geometry().word_bits != word_bits) {
      throw DefectMapError(fmt::format(
          "{}: defect map has words of {} cells, but this deployment stores {}-cell words",
          sa.map_file, loaded->geometry().word_bits, word_bits));
    }
    g = loaded->geometry();
  } else if (nvm.geometry) {
    g = *nvm.geometry;
  } else {
    g = geometry_for_words(needed, word_bits, std::max(1, sa.word_line_cells / word_bits));
  }
  if (g.word_bits != word_bits || g.words() < needed) {
    throw UserError(fmt::format(
        "the model needs {} weight words of {} cells, but the weight memory{} holds {} words of "
        "{} cells",
        needed, word_bits, loaded ? fmt::format(" of {}", sa.map_file) : "", g.words(),
        g.word_bits));
  }
  return g;
}

struct Memory {
  std::vector<LayerSpan> spans;
  DefectMap truth;
};

Memory prepare_memory(const QuantModel& qm, const FaultsConfig& faults,
                      const MitigationConfig& mitigation, uint64_t seed, uint64_t trial,
                      const NvmTarget& nvm) {
  const int group = group_words_of(mitigation);
  check_scheme_supports(mitigation.scheme, qm.weight_format, group);
  const int word_bits = stored_word_bits(mitigation.scheme, qm.weight_format, group);
  Memory m{weight_address_map(qm, group), DefectMap()};
  const int64_t needed = words_needed(m.spans);
  const StuckAtConfig& sa = faults.weights.stuck_at;
  if (!sa.map_file.empty()) {
    DefectMap loaded = load_defect_map(sa.map_file);
    resolve_geometry(faults, nvm, word_bits, needed, &loaded);
    m.truth = std::move(loaded);
    return m;
  }
  const BankGeometry g = resolve_geometry(faults, nvm, word_bits, needed, nullptr);
  const uint64_t s = or_seed(sa.seed, seed);
  if (sa.rate > 0.0) {
    const FaultTarget target{g, qm.weight_format.bits, m.spans};
    m.truth = make_fault_model(stuck_at_spec(sa))
                  ->draw(target, RandomStream(s, trial, "weight_stuck_at"))
                  .defects;
  } else {
    m.truth = DefectMap(g);
  }
  m.truth.set_origin(s, trial);
  return m;
}

/// Adds one weight's deviation (the sum becomes the mean at the end of deploy()).
void add_deviation(int64_t dev, std::vector<int64_t>& hist, double& sum, int64_t& max,
                   int64_t& deviated) {
  sum += double(dev);
  max = std::max(max, dev);
  if (dev > 0) {
    ++hist[size_t(std::min(deviation_bin(dev), DeploymentStats::kHistogramBins - 1))];
    ++deviated;
  }
}

/// Signed deviations (decoded - intended, in LSBs) of one weight.
struct WeightDeviation {
  int64_t before = 0;  // the unencoded word with the stuck bits
  int64_t after = 0;   // the scheme's word with the stuck bits
};

/// Per-weight statistics of one stored word against the intended (quantized) word.
WeightDeviation count_weight(const WordFormat& fmt, uint32_t plain, StuckBits truth,
                             uint32_t decoded, DeploymentStats& st) {
  const int ns = __builtin_popcount(truth.mask & (truth.values ^ plain));
  st.non_silent_faults += ns;
  st.weights_with_1_non_silent += ns == 1;
  st.weights_with_2plus_non_silent += ns >= 2;
  if (fmt.is_float()) {
    return {};  // deviations are integer LSBs
  }
  const int32_t v = fmt.to_int(plain);
  const StuckBits data_truth{truth.mask & fmt.mask(), truth.values};
  const WeightDeviation d{int64_t{fmt.to_int(apply_stuck_bits(plain, data_truth))} - v,
                          int64_t{fmt.to_int(decoded)} - v};
  add_deviation(std::abs(d.before), st.deviation_histogram_before, st.mean_abs_deviation_before,
                st.max_abs_deviation_before, st.deviated_weights_before);
  add_deviation(std::abs(d.after), st.deviation_histogram_after, st.mean_abs_deviation_after,
                st.max_abs_deviation_after, st.deviated_weights_after);
  return d;
}

/// Encodes one layer's words into `image`, knowing `known`, with the `truth` stuck bits. With
/// bias compensation, `believed` gets the words as the encoder expects the cells to hold them.
void encode_layer(const QLayer& layer, const LayerSpan& span, const WordFormat& fmt,
                  const MitigationConfig& mit, const DefectMap& known, const DefectMap& truth,
                  std::vector<uint32_t>& image, std::vector<uint32_t>* believed,
                  DeploymentStats& st) {
  const int group = group_words_of(mit);
  const ReadPath rp{mit.scheme, fmt, group, mit.decoder_latency_cycles};
  const auto n = size_t(span.words);
  const auto weights = layer.weight_words.size();
  const auto reduction = size_t(std::max(1, layer.reduction));
  const bool balanced = mit.ties == TieRule::kBalanced && !fmt.is_float();
  std::vector<uint32_t> intended(n, fmt.is_float() ? 0u : fmt.to_word(0));
  std::copy(layer.weight_words.begin(), layer.weight_words.end(), intended.begin());
  std::vector<uint32_t> plain(n), stored(n);
  if (believed != nullptr) {
    believed->resize(n);
  }
  int64_t running = 0;  // the output channel's deviation so far, as the encoder sees it
  for (size_t i = 0; i < n; i += size_t(group)) {
    const int64_t a = span.first_word + int64_t(i);
    if (scheme_row(mit.scheme).ecc) {
      secded_encode_group(fmt.bits, &intended[i], group, &plain[i]);  // ECC ignores the map
      for (size_t j = i; j < i + size_t(group); ++j) {
        const int64_t aj = span.first_word + int64_t(j);
        stored[j] = apply_stuck_bits(plain[j], truth.at(aj));
        if (believed != nullptr) {
          (*believed)[j] = apply_stuck_bits(plain[j], known.at(aj));
        }
      }
      std::vector<uint32_t> data(static_cast<size_t>(group));
      const SecdedStatus s = secded_decode_group(fmt.bits, &stored[i], group, data.data());
      st.secded_corrected_words += s == SecdedStatus::kCorrected;
      st.secded_detected_words += s == SecdedStatus::kDetected;
    } else {
      plain[i] = intended[i];
      uint32_t written = encode_word(mit.scheme, fmt, intended[i], known.at(a));
      if (balanced && i < weights) {
        running = i % reduction == 0 ? 0 : running;
        const TieChoice t = balance_tie(mit.scheme, fmt, fmt.to_int(intended[i]), written,
                                        known.at(a), running, mit.tie_slack);
        written = t.word;
        running += t.deviation;
      }
      stored[i] = apply_stuck_bits(written, truth.at(a));
      if (believed != nullptr) {
        (*believed)[i] = apply_stuck_bits(written, known.at(a));
      }
    }
  }
  const std::vector<uint32_t> decoded = rp.decode_words(stored);
  WeightDeviation channel;  // sums over the current output channel
  for (size_t i = 0; i < n; ++i) {
    const StuckBits t = truth.at(span.first_word + int64_t(i));
    st.defective_cells += __builtin_popcount(t.mask);
    st.stuck_at_one_cells += __builtin_popcount(t.mask & t.values);
    if (i < weights) {
      const WeightDeviation d = count_weight(fmt, plain[i], t, decoded[i], st);
      channel.before += d.before;
      channel.after += d.after;
      if ((i + 1) % reduction == 0) {
        st.mean_abs_channel_deviation_before += double(std::abs(channel.before));
        st.mean_abs_channel_deviation_after += double(std::abs(channel.after));
        ++st.output_channels;
        channel = WeightDeviation();
      }
    }
    image[size_t(span.first_word) + i] = stored[i];
  }
}

}  // namespace

BankGeometry nvm_geometry(const NvmConfig& nvm, int word_bits, int word_line_cells) {
  BankGeometry g;
  g.banks = nvm.banks;
  g.word_bits = word_bits;
  g.words_per_row = std::max(1, word_line_cells / word_bits);
  const double bank_bits = nvm.capacity_kib * 8192.0 / nvm.banks;
  g.rows_per_bank = std::max<int64_t>(1, int64_t(bank_bits / double(g.row_cells())));
  return g;
}

std::vector<LayerSpan> weight_address_map(const QuantModel& qm, int group_words) {
  std::vector<LayerSpan> spans;
  int64_t next = 0;
  for (size_t i = 0; i < qm.layers.size(); ++i) {
    const QLayer& l = qm.layers[i];
    if (l.kind != QOpKind::kArray) {
      continue;
    }
    const auto n = int64_t(l.weight_words.size());
    const int64_t padded = (n + group_words - 1) / group_words * group_words;
    spans.push_back({int(i), l.name, next, padded});
    next += padded;
  }
  return spans;
}

DefectMap deployment_defect_map(const QuantModel& qm, const FaultsConfig& faults,
                                const MitigationConfig& mitigation, uint64_t seed, uint64_t trial,
                                const NvmTarget& nvm) {
  return prepare_memory(qm, faults, mitigation, seed, trial, nvm).truth;
}

DeployedWeights deploy(const QuantModel& qm, const FaultsConfig& faults,
                       const MitigationConfig& mitigation, uint64_t seed, uint64_t trial,
                       DeploymentStats* stats, const NvmTarget& nvm) {
  DeploymentStats local;
  DeploymentStats& st = stats != nullptr ? *stats : local;
  st = DeploymentStats();
  const WordFormat& fmt = qm.weight_format;
  Memory mem = prepare_memory(qm, faults, mitigation, seed, trial, nvm);
  const BankGeometry& g = mem.truth.geometry();
  // The map the encoder knows: the oracle, or what March C- finds on the faulty cells.
  DefectMap march_map;
  if (mitigation.defect_map == DefectMapSource::kMarch) {
    MarchResult r;
    if (nvm.march) {
      r = nvm.march(mem.truth);
    } else {
      FaultyCellArray cells(mem.truth);
      r = run_march_c_minus(cells, g, {nvm.read_latency_cycles, nvm.write_latency_cycles});
    }
    st.march_operations = r.operations();
    st.march_cycles = r.cycles;
    march_map = std::move(r.discovered);
  }
  const DefectMap& known = mitigation.defect_map == DefectMapSource::kMarch ? march_map : mem.truth;
  st.known_defective_cells = known.defective_cells();
  std::vector<uint32_t> image(size_t(words_needed(mem.spans)), 0u);
  DeployedWeights out;
  const bool compensate = mitigation.bias_compensation == BiasCompensation::kMean;
  if (compensate && fmt.is_float()) {
    throw UserError(fmt::format(
        "mitigation.bias_compensation mean needs an integer weight format (int32 biases), got {}",
        to_string(fmt.format)));
  }
  if (compensate) {
    out.believed.resize(qm.layers.size());
  }
  for (const LayerSpan& s : mem.spans) {
    const auto li = size_t(s.layer_index);
    encode_layer(qm.layers[li], s, fmt, mitigation, known, mem.truth, image,
                 compensate ? &out.believed[li] : nullptr, st);
    st.weights += int64_t(qm.layers[li].weight_words.size());
  }
  // Transient flips land on the stored cells; a flip on a stuck cell is masked.
  const BitFlipConfig& bf = faults.weights.bitflip;
  if (bf.mode != FaultKind::kNone) {
    const FaultTarget target{g, fmt.bits, mem.spans};
    const FaultDraw d =
        make_fault_model(bitflip_spec(bf))
            ->draw(target, RandomStream(or_seed(bf.seed, seed), trial, "weight_bitflip"));
    for (const BitFlip& f : d.flips) {
      st.weight_flips_injected += __builtin_popcount(f.mask);
    }
    st.weight_flips_effective = apply_flips(image, d.flips, &mem.truth);
  }
  out.read_path = {mitigation.scheme, fmt, group_words_of(mitigation),
                   mitigation.decoder_latency_cycles};
  out.stored.resize(qm.layers.size());
  for (const LayerSpan& s : mem.spans) {
    out.stored[size_t(s.layer_index)].assign(image.begin() + s.first_word,
                                             image.begin() + s.first_word + s.words);
  }
  const DecoderCost cost = decoder_cost(mitigation.scheme, fmt, group_words_of(mitigation));
  st.stored_words = int64_t(image.size());
  st.stored_bits = st.stored_words * g.word_bits;
  st.memory_words = g.words();
  st.decoder_xor2_gates = cost.xor2_gates;
  st.decoder_and2_gates = cost.and2_gates;
  st.decoder_latency_cycles = mitigation.decoder_latency_cycles;
  if (st.weights > 0) {
    st.mean_abs_deviation_before /= double(st.weights);
    st.mean_abs_deviation_after /= double(st.weights);
  }
  if (st.output_channels > 0) {
    st.mean_abs_channel_deviation_before /= double(st.output_channels);
    st.mean_abs_channel_deviation_after /= double(st.output_channels);
  }
  return out;
}

}  // namespace safsim
