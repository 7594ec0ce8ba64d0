// Per-layer and total statistics of a cycle-engine run. Every field is listed once, in visit();
// summing, the CSV and the JSON all walk that list (docs/design.md, "Statistics").
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace safsim {

/// Whether a field is a column of layers.csv (all fields go to summary.json).
enum class StatColumn { kCsv, kJsonOnly };

struct LayerStats {
  std::string layer;  // QLayer name, or "total"
  std::string type;   // conv, linear, max_pool, avg_pool, global_avg_pool, add, flatten
  int64_t rows_used = 0, cols_used = 0, row_folds = 0, col_folds = 0;
  uint64_t macs = 0;
  uint64_t cycles = 0, compute_cycles = 0, stall_cycles = 0;
  double utilization = 0;  // macs / (cycles x rows x cols)
  uint64_t sram_reads = 0, sram_writes = 0, nvm_reads = 0;
  double energy_pj = 0;
  // summary.json only
  int64_t token_tiles = 0;
  uint64_t stall_nvm_cycles = 0, stall_sram_cycles = 0, stall_pp_cycles = 0;
  uint64_t nvm_bits_read = 0, sram_conflict_cycles = 0;
  double energy_nvm_pj = 0, energy_sram_pj = 0, energy_mac_pj = 0;
  uint64_t first_image_start_cycle = 0;

  template <class F>
  void visit(F&& f) {
    constexpr StatColumn kCsv = StatColumn::kCsv;
    constexpr StatColumn kJson = StatColumn::kJsonOnly;
    f("layer", layer, kCsv);
    f("type", type, kCsv);
    f("rows_used", rows_used, kCsv);
    f("cols_used", cols_used, kCsv);
    f("row_folds", row_folds, kCsv);
    f("col_folds", col_folds, kCsv);
    f("macs", macs, kCsv);
    f("cycles", cycles, kCsv);
    f("compute_cycles", compute_cycles, kCsv);
    f("stall_cycles", stall_cycles, kCsv);
    f("utilization", utilization, kCsv);
    f("sram_reads", sram_reads, kCsv);
    f("sram_writes", sram_writes, kCsv);
    f("nvm_reads", nvm_reads, kCsv);
    f("energy_pj", energy_pj, kCsv);
    f("token_tiles", token_tiles, kJson);
    f("stall_nvm_cycles", stall_nvm_cycles, kJson);
    f("stall_sram_cycles", stall_sram_cycles, kJson);
    f("stall_pp_cycles", stall_pp_cycles, kJson);
    f("nvm_bits_read", nvm_bits_read, kJson);
    f("sram_conflict_cycles", sram_conflict_cycles, kJson);
    f("energy_nvm_pj", energy_nvm_pj, kJson);
    f("energy_sram_pj", energy_sram_pj, kJson);
    f("energy_mac_pj", energy_mac_pj, kJson);
    f("first_image_start_cycle", first_image_start_cycle, kJson);
  }
  template <class F>
  void visit(F&& f) const {
    const_cast<LayerStats*>(this)->visit(std::forward<F>(f));
  }
};

/// A whole run: one entry per QuantModel layer (summed over images) plus the totals.
struct RunStats {
  std::vector<LayerStats> layers;
  LayerStats total;
  int images = 0;
  int rows = 0, cols = 0;
  double clock_mhz = 0;
  /// Every block's own counters (their visit()), keyed "accelerator.array.vectors_streamed", summed
  /// over this run's images.
  std::vector<std::pair<std::string, uint64_t>> block_counters;

  uint64_t cycles_per_image() const { return images > 0 ? total.cycles / images : 0; }
  double latency_us_per_image() const {
    return images > 0 ? double(total.cycles) / images / clock_mhz : 0.0;
  }
  double stall_share() const {
    return total.cycles > 0 ? double(total.stall_cycles) / double(total.cycles) : 0.0;
  }
};

/// total = sum of the layers' counters; utilization recomputed from the sums.
void sum_totals(RunStats& s);

/// macs / (cycles x rows x cols), 0 when no cycles.
double utilization(uint64_t macs, uint64_t cycles, int rows, int cols);

}  // namespace safsim
