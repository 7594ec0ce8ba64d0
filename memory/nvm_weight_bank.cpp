// Banked NVM weight memory: request queues per bank, read latency, read-path decoding.
#include "memory/nvm_weight_bank.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/errors.h"
#include "base/trace.h"

namespace safsim {

constexpr uint64_t kNotReady = std::numeric_limits<uint64_t>::max();

int NvmWeightBank::cells_per_word(const ReadPath& rp) {
  return std::max(rp.format.bits,
                  decoder_cost(rp.scheme, rp.format, rp.group_words).stored_bits_per_word);
}

NvmWeightBank::NvmWeightBank(const sc_core::sc_module_name& name, const QuantModel& qm,
                             const DeployedWeights& weights, const NvmConfig& cfg, bool ideal,
                             int rows, int cols)
    : sc_core::sc_module(name),
      read_path_(weights.read_path),
      is_float_(qm.is_float()),
      stored_bits_(cells_per_word(weights.read_path)),
      ideal_(ideal),
      rows_(rows),
      cols_(cols),
      banks_(cfg.banks),
      words_per_cycle_(cfg.words_per_cycle_per_bank),
      latency_(cfg.read_latency_cycles + weights.read_path.added_latency_cycles),
      cell_timing_{cfg.read_latency_cycles, cfg.write_latency_cycles} {
  for (size_t i = 0; i < qm.layers.size(); ++i) {
    layer_base_.push_back(static_cast<uint32_t>(cells_.size()));
    layer_words_.push_back(weights.stored[i].size());
    reduction_.push_back(qm.layers[i].reduction);
    cells_.insert(cells_.end(), weights.stored[i].begin(), weights.stored[i].end());
  }
  check_capacity(qm, weights, cfg);
  queues_.resize(banks_);
  heads_.assign(banks_, 0);
  // Only the staging array of the model's number format is used (vector_int or vector_float).
  is_float_ ? staging_float_.assign(size_t(rows) * cols, 0.0f)
            : staging_int_.assign(size_t(rows) * cols, 0);
  row_words_.assign(rows, 0);
  ready_at_.assign(rows, kNotReady);
  SC_METHOD(on_posedge);
  sensitive << clk.pos();
  dont_initialize();
}

void NvmWeightBank::check_capacity(const QuantModel& qm, const DeployedWeights& weights,
                                   const NvmConfig& cfg) {
  size_t words = 0;
  for (const std::vector<uint32_t>& layer : weights.stored) {
    words += layer.size();
  }
  const int bits = cells_per_word(weights.read_path);
  const double needed_kib = double(words) * bits / 8.0 / 1024.0;
  if (needed_kib > cfg.capacity_kib) {
    throw ConfigError(fmt::format(
        "accelerator.nvm.capacity_kib: model '{}' needs {:.2f} KiB of weights ({} words x {} "
        "bits) but the NVM holds {} KiB",
        qm.name, needed_kib, words, bits, cfg.capacity_kib));
  }
}

void NvmWeightBank::fetch_fold(const FoldRequest& req, uint64_t cycle) {
  current_ = req;
  const bool by_channel = req.vectors == WeightVectors::kChannels;
  const int used_vectors = by_channel ? req.cols_used : req.rows_used;
  const int used_lanes = by_channel ? req.rows_used : req.cols_used;
  // ws stages all R rows (a fold shifts in R rows, the unused ones as zeros).
  const int vectors = req.vectors == WeightVectors::kRowsBottomFirst ? rows_ : used_vectors;
  lanes_ = by_channel ? rows_ : cols_;
  const size_t words = size_t(vectors) * lanes_;
  if (row_words_.size() < size_t(vectors)) {
    row_words_.resize(vectors);
    ready_at_.resize(vectors);
  }
  if (is_float_) {
    staging_float_.resize(std::max(staging_float_.size(), words));
    std::fill_n(staging_float_.begin(), words, 0.0f);
  } else {
    staging_int_.resize(std::max(staging_int_.size(), words));
    std::fill_n(staging_int_.begin(), words, 0);
  }
  for (int v = 0; v < vectors; ++v) {
    row_words_[v] = v < used_vectors ? used_lanes : 0;
    ready_at_[v] = v < used_vectors ? kNotReady : cycle;  // padding rows are zeros
  }
  for (int b = 0; b < banks_; ++b) {
    queues_[b].clear();
    heads_[b] = 0;
  }
  const uint32_t base = layer_base_[req.layer];
  const int k_count = reduction_[req.layer];
  // Read order: ws shifts row R-1 in first (it ends at the bottom), the others stream in order.
  const bool reversed = req.vectors == WeightVectors::kRowsBottomFirst;
  const bool plain = ideal_ && plain_read(cycle);
  for (int i = 0; i < used_vectors; ++i) {
    const int v = reversed ? used_vectors - 1 - i : i;
    for (int l = 0; l < used_lanes; ++l) {
      const int o = req.o0 + (by_channel ? v : l);
      const int k = req.k0 + (by_channel ? l : v);
      const Request q{base + static_cast<uint32_t>(o * k_count + k), static_cast<uint32_t>(v),
                      static_cast<uint32_t>(l)};
      if (ideal_) {
        read_word(q, cycle, plain);
        ready_at_[v] = cycle;
      } else {
        queues_[o % banks_].push_back(q);
      }
    }
  }
  pending_ = ideal_ ? 0 : size_t(used_vectors) * used_lanes;
}

void NvmWeightBank::flip_bit(int64_t address, int bit) {
  uint32_t& cell = cells_[size_t(address)];
  cell ^= 1u << bit;
  if (!stuck_.empty()) {
    cell = apply_stuck_bits(cell, stuck_[size_t(address)]);
  }
  if (!decoded_stale_) {
    decode_cell(size_t(address));  // one flip must not cost a decode of every cell
  }
}

void NvmWeightBank::install_defects(const DefectMap& defects) {
  const BankGeometry& g = defects.geometry();
  if (g.word_bits != stored_bits_ || defects.words() < words()) {
    throw std::logic_error(fmt::format(
        "{}: a defect map of {} words x {} cells cannot cover {} stored words x {} cells", name(),
        defects.words(), g.word_bits, words(), stored_bits_));
  }
  geometry_ = g;
  stuck_.resize(size_t(defects.words()));
  for (int64_t a = 0; a < defects.words(); ++a) {
    stuck_[size_t(a)] = defects.at(a);
  }
  cells_.assign(size_t(defects.words()), 0u);
  for (size_t a = 0; a < cells_.size(); ++a) {
    cells_[a] = apply_stuck_bits(0u, stuck_[a]);
  }
  decoded_stale_ = true;
}

MarchResult NvmWeightBank::run_march_test() {
  if (stuck_.empty()) {
    throw std::logic_error(std::string(name()) + ": install_defects() before the March test");
  }
  return run_march_c_minus(*this, geometry_, cell_timing_);
}

void NvmWeightBank::program(const DeployedWeights& weights) {
  if (weights.read_path.scheme != read_path_.scheme ||
      weights.stored.size() != layer_base_.size()) {
    throw std::logic_error(std::string(name()) + ": program() with another layout or read path");
  }
  for (size_t l = 0; l < weights.stored.size(); ++l) {
    const std::vector<uint32_t>& layer = weights.stored[l];
    if (layer.size() != layer_words_[l]) {
      throw std::logic_error(std::string(name()) + ": program() with another layer size");
    }
    for (size_t i = 0; i < layer.size(); ++i) {
      write(int64_t(layer_base_[l] + i), layer[i]);
    }
  }
}

void NvmWeightBank::write(int64_t addr, uint32_t word) {
  ++stats_.cell_port_writes;
  const uint32_t mask = stored_bits_ >= 32 ? 0xFFFFFFFFu : (1u << stored_bits_) - 1u;
  word &= mask;
  cells_[size_t(addr)] = stuck_.empty() ? word : apply_stuck_bits(word, stuck_[size_t(addr)]);
  decoded_stale_ = true;
}

uint32_t NvmWeightBank::read(int64_t addr) {
  ++stats_.cell_port_reads;
  return cells_[size_t(addr)];
}

void NvmWeightBank::begin_image(int64_t dataset_index, bool self_test) {
  if (read_errors_.active()) {
    read_errors_.begin_image(dataset_index, self_test);
  }
}

// The word at `address` as this read senses it: a read error inverts the cell's value for this
// read only (a stuck cell can be sensed wrong as well), so cells_ keeps what was written.
uint32_t NvmWeightBank::sense(uint32_t address) {
  const uint32_t stored = cells_[address];
  if (!read_errors_.active()) {
    return stored;
  }
  const uint32_t wrong = read_errors_.sense(stored_bits_);
  stats_.read_error_bits += uint64_t(__builtin_popcount(wrong));
  return stored ^ wrong;
}

// The decoded operand of the word at `address`. SEC-DED over groups of words decodes the whole
// codeword group the word belongs to (groups start at the layer's first word): every word read
// senses all G words afresh, each with its own read errors, so an error in a neighbour's cells
// is corrected, or with one in this word's a double error, as the decoder sees it.
uint32_t NvmWeightBank::decode(uint32_t address, uint32_t layer_base, uint64_t n) {
  const ReadPath& rp = read_path_;
  if (rp.group_words <= 1) {
    if (flips_ != nullptr && flips_->watching(FlipMemory::kNvm)) {
      flips_->on_read(FlipMemory::kNvm, address, n);
    }
    sensed_ = sense(address);
    return rp.decode_word(sensed_);
  }
  const uint32_t g = static_cast<uint32_t>(rp.group_words);
  const uint32_t first = layer_base + (address - layer_base) / g * g;
  if (flips_ != nullptr && flips_->watching(FlipMemory::kNvm)) {
    // The decoder reads the whole codeword group.
    flips_->decide_if(FlipMemory::kNvm, FlipOutcome::kEffective, n,
                      [first, g](int64_t a) { return a >= first && a < first + g; });
  }
  group_.resize(g);
  for (uint32_t j = 0; j < g; ++j) {
    group_[j] = sense(first + j);
  }
  sensed_ = group_[address - first];
  return rp.decode_words(group_)[address - first];
}

bool NvmWeightBank::plain_read(uint64_t n) const {
  return read_path_.group_words <= 1 && !read_errors_.active() &&
         (flips_ == nullptr || !flips_->watching(FlipMemory::kNvm)) &&
         (tracer_ == nullptr || !tracer_->in_window(n));
}

void NvmWeightBank::decode_cell(size_t a) {
  const uint32_t word = read_path_.decode_word(cells_[a]);
  if (is_float_) {
    decoded_float_[a] = read_path_.format.to_float(word);
  } else {
    decoded_int_[a] = read_path_.format.to_int(word);
  }
}

void NvmWeightBank::refresh_decoded() {
  is_float_ ? decoded_float_.resize(cells_.size()) : decoded_int_.resize(cells_.size());
  for (size_t a = 0; a < cells_.size(); ++a) {
    decode_cell(a);
  }
  decoded_stale_ = false;
}

// `plain`: plain_read(n), so the operand is the cell's decoded word (the same decode as below).
void NvmWeightBank::read_word(const Request& q, uint64_t n, bool plain) {
  const size_t i = size_t(q.vector) * lanes_ + q.lane;
  if (plain) {
    if (decoded_stale_) {
      refresh_decoded();
    }
    if (is_float_) {
      staging_float_[i] = decoded_float_[q.address];
    } else {
      staging_int_[i] = decoded_int_[q.address];
    }
  } else {
    const uint32_t word = decode(q.address, layer_base_[current_.layer], n);
    if (is_float_) {
      staging_float_[i] = read_path_.format.to_float(word);
    } else {
      staging_int_[i] = read_path_.format.to_int(word);
    }
    if (tracer_ != nullptr && tracer_->in_window(n)) {
      shadow_.address = q.address;
      shadow_.raw = sensed_;
      shadow_.decoded = word;
      ++shadow_.reads;
    }
  }
  ++stats_.reads;
  stats_.bits_read += stored_bits_;
  if (--row_words_[q.vector] == 0 && !ideal_) {
    ready_at_[q.vector] = n + latency_ + 1;
  }
}

void NvmWeightBank::on_posedge() {
  const uint64_t n = cycle_++;
  if (tracer_ != nullptr && tracer_->in_window(n)) {
    shadow_.reads = 0;
  }
  if (pending_ == 0) {
    return;
  }
  ++stats_.busy_cycles;
  const bool plain = plain_read(n);
  for (int b = 0; b < banks_; ++b) {
    std::vector<Request>& q = queues_[b];
    for (int served = 0; served < words_per_cycle_ && heads_[b] < q.size(); ++served) {
      read_word(q[heads_[b]++], n, plain);
      --pending_;
    }
  }
}

void NvmWeightBank::trace(Tracer& tracer) {
  const std::string me = name();
  // The word as read in binary (stuck bits show as such, read errors too); the decoded word as
  // the number it is when that is a two's-complement code, else in binary too.
  tracer.add(shadow_.address, me + ".read_address", 0, TraceDisplay::kHex);
  tracer.add(shadow_.raw, me + ".read_raw", word_bits(), TraceDisplay::kBinary);
  tracer.add(shadow_.decoded, me + ".read_decoded", read_path_.format.bits,
             read_path_.format.format == WeightFormat::kTwosComplement ? TraceDisplay::kSigned
                                                                       : TraceDisplay::kBinary);
  tracer.add(shadow_.reads, me + ".reads_this_cycle");
  tracer_ = &tracer;
}

}  // namespace safsim
