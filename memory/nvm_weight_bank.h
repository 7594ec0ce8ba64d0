// The NVM weight memory: banks of cells holding the deployed (encoded, possibly faulty) words
// exactly as written. Every read is counted and passes through the read-path decoder. Its cell
// port (WordMemoryIf) lets a March test write and read every cell before deployment, through
// the stuck-at defects installed in the cells (issue 4, `mitigation.defect_map: march`). Bank b
// serves up to words_per_cycle_per_bank reads per cycle; a word read at posedge n can be shifted
// into the array at posedge n + read_latency_cycles + decoder latency + 1 (docs/timing.md).
#pragma once

#include <cstdint>
#include <limits>
#include <systemc>
#include <vector>

#include "memory/defect_map.h"
#include "memory/deployed_weights.h"
#include "memory/march_test.h"
#include "memory/memory_config.h"
#include "memory/read_errors.h"
#include "memory/scheduled_flips.h"
#include "workloads/quant_model.h"

namespace safsim {

class Tracer;

/// How a fold's weights are staged, one vector per array edge entry (docs/timing.md):
enum class WeightVectors {
  kRowsBottomFirst,  // ws: vector r is array row r (k = k0 + r, lane c: o = o0 + c), R vectors
                     // (rows past rows_used are zeros); row R-1 is read first (it shifts in first)
  kRows,             // os: vector v is k = k0 + v (lane c: o = o0 + c), in order
  kChannels,         // is: vector v is output channel o = o0 + v (lane r: k = k0 + r), in order
};

/// The weights of one fold: reduction indices [k0, k0 + rows_used) of output channels
/// [o0, o0 + cols_used), staged as `vectors` says.
struct FoldRequest {
  int layer = 0;
  int k0 = 0, rows_used = 0;
  int o0 = 0, cols_used = 0;
  WeightVectors vectors = WeightVectors::kRowsBottomFirst;
};

/// The weight-fetch port: fill the staging buffer (one fold, decoded words), poll vectors.
///   nvm->fetch_fold(req, cycle);
///   if (nvm->vector_ready(v, cycle)) array->load_row(bank, nvm->vector_int(v));
class WeightReadIf : public virtual sc_core::sc_interface {
 public:
  virtual void fetch_fold(const FoldRequest& req, uint64_t cycle) = 0;
  virtual bool vector_ready(int v, uint64_t cycle) const = 0;
  virtual const int32_t* vector_int(int v) const = 0;
  virtual const float* vector_float(int v) const = 0;
  /// The image whose inference starts: keys the read errors of its reads (ReadErrors).
  virtual void begin_image(int64_t dataset_index, bool self_test) = 0;
};

struct NvmStats {
  uint64_t reads = 0;  // words read (each through the read-path decoder)
  uint64_t bits_read = 0;
  uint64_t busy_cycles = 0;       // posedges with at least one bank reading
  uint64_t cell_port_reads = 0;   // words read through the cell port (March test)
  uint64_t cell_port_writes = 0;  // words written through the cell port (March test, programming)
  uint64_t read_error_bits = 0;   // cells sensed wrong by reads (faults.weights.read_errors)

  template <class F>
  void visit(F&& f) {
    f("reads", reads);
    f("bits_read", bits_read);
    f("busy_cycles", busy_cycles);
    f("cell_port_reads", cell_port_reads);
    f("cell_port_writes", cell_port_writes);
    f("read_error_bits", read_error_bits);
  }
};

/// Address map: layer weights are stored O x K (QLayer::weight_words order) from a layer base;
/// output channel o lives in bank o % banks, so one array row's C words spread over the banks.
class NvmWeightBank : public sc_core::sc_module, public WeightReadIf, public WordMemoryIf {
 public:
  SC_HAS_PROCESS(NvmWeightBank);
  sc_core::sc_in<bool> clk{"clk"};

  /// Throws ConfigError when the model's stored words exceed the capacity.
  NvmWeightBank(const sc_core::sc_module_name& name, const QuantModel& qm,
                const DeployedWeights& weights, const NvmConfig& cfg, bool ideal, int rows,
                int cols);

  /// Throws ConfigError when the model's stored words exceed cfg.capacity_kib.
  static void check_capacity(const QuantModel& qm, const DeployedWeights& weights,
                             const NvmConfig& cfg);

  void fetch_fold(const FoldRequest& req, uint64_t cycle) override;
  bool vector_ready(int v, uint64_t cycle) const override { return ready_at_[v] <= cycle; }
  const int32_t* vector_int(int v) const override { return &staging_int_[size_t(v) * lanes_]; }
  const float* vector_float(int v) const override { return &staging_float_[size_t(v) * lanes_]; }
  void begin_image(int64_t dataset_index, bool self_test) override;

  const NvmStats& stats() const { return stats_; }
  static int cells_per_word(const ReadPath& rp);
  /// A transient upset of one stored cell (scheduled flips; address as in the deployment map).
  /// A stuck cell keeps its value: the flip is masked.
  void flip_bit(int64_t address, int bit);

  // ---- the cell port: before the simulation starts (March test, programming) ----
  /// Makes the cells faulty: from now on every write goes through apply_stuck_bits() with
  /// `defects`, whose geometry is the whole memory under test (at least the model's words, of
  /// word_bits() cells each). The cell array grows to the map's size; at power-up the stuck
  /// cells show their values and the others hold 0. Throws std::logic_error on a misfit.
  void install_defects(const DefectMap& defects);
  /// March C- through the cell port with this bank's latencies (reads: read_latency_cycles,
  /// writes: write_latency_cycles, one word operation at a time).
  ///   bank.install_defects(truth);
  ///   MarchResult r = bank.run_march_test();  // r.discovered == truth for stuck-at faults
  MarchResult run_march_test();
  /// Writes the deployed words into the cells through the port (stuck cells win). The words
  /// must have the layout and read path the bank was built with.
  void program(const DeployedWeights& weights);

  int64_t words() const override { return int64_t(cells_.size()); }
  /// Cells per stored word (check bits of SEC-DED included).
  int word_bits() const override { return stored_bits_; }
  void write(int64_t addr, uint32_t word) override;
  uint32_t read(int64_t addr) override;
  /// Reports every word read to `flips` (nullptr: none); it must outlive the simulation.
  void set_scheduled_flips(ScheduledFlipInjector* flips) { flips_ = flips; }
  /// Sensing errors of every read through the read path from the next image on (an inactive
  /// `errors`: none). The cell port (March test, programming) senses without errors.
  void set_read_errors(const ReadErrors& errors) { read_errors_ = errors; }
  void trace(Tracer& tracer);
  using sc_core::sc_object::trace;  // SystemC's own overload stays visible (-Woverloaded-virtual)

 private:
  struct Request {
    uint32_t address;
    uint32_t vector;
    uint32_t lane;
  };
  void on_posedge();
  /// A read at posedge n whose operand is a function of the stored word alone: a per-word read
  /// path, no read errors, no scheduled flip watching NVM reads, outside the trace window.
  bool plain_read(uint64_t n) const;
  /// The operand of every cell (of cell `a`) as a plain read decodes it.
  void refresh_decoded();
  void decode_cell(size_t a);
  void read_word(const Request& q, uint64_t n, bool plain);
  uint32_t decode(uint32_t address, uint32_t layer_base, uint64_t n);
  uint32_t sense(uint32_t address);

  ReadPath read_path_;  // a copy: the caller's DeployedWeights may be a temporary
  bool is_float_;
  int stored_bits_;
  bool ideal_;
  int rows_, cols_, banks_, words_per_cycle_, latency_;
  MarchTiming cell_timing_;
  std::vector<uint32_t> cells_;               // every layer's stored words, as written
  std::vector<StuckBits> stuck_;              // per word; empty until install_defects()
  BankGeometry geometry_;                     // of the installed defect map
  std::vector<uint32_t> group_;               // one SEC-DED codeword group being decoded
  std::vector<uint32_t> layer_base_;          // first address of each layer
  std::vector<size_t> layer_words_;           // stored words of each layer
  std::vector<int> reduction_;                // K of each layer
  std::vector<std::vector<Request>> queues_;  // per bank, in load order
  std::vector<size_t> heads_;
  size_t pending_ = 0;
  // Decoded operand per cell for plain reads (int or float formats): one decode per cell
  // instead of one per read, as os and is read every weight again in every fold.
  std::vector<int32_t> decoded_int_;
  std::vector<float> decoded_float_;
  bool decoded_stale_ = true;
  std::vector<int32_t> staging_int_;  // vectors x lanes_ decoded words of the current fold
  std::vector<float> staging_float_;
  int lanes_ = 0;
  std::vector<int> row_words_;      // words still missing per staging vector
  std::vector<uint64_t> ready_at_;  // posedge from which a staging vector may enter the array
  FoldRequest current_;
  uint64_t cycle_ = 0;
  NvmStats stats_;
  ScheduledFlipInjector* flips_ = nullptr;
  ReadErrors read_errors_;
  uint32_t sensed_ = 0;  // the cells of the word last read as the decoder saw them

  Tracer* tracer_ = nullptr;
  struct Shadow {
    uint32_t address = 0, raw = 0, decoded = 0;
    uint32_t reads = 0;
  } shadow_;
};

}  // namespace safsim
