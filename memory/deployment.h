// Deployment of a quantized model into a faulty NVM: address map, defect map (drawn, loaded, or
// found by March C-), per-weight encoding, stuck bits, transient flips, and what it all did.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "memory/defect_map.h"
#include "memory/deployed_weights.h"
#include "memory/deployment_stats.h"
#include "memory/fault_model.h"
#include "memory/march_test.h"
#include "memory/memory_config.h"
#include "workloads/quant_model.h"

namespace safsim {

/// The NVM the weights go into. Without a geometry, one bank just large enough for the model,
/// with word lines of faults.weights.stuck_at.word_line_cells cells.
struct NvmTarget {
  std::optional<BankGeometry> geometry;
  int read_latency_cycles = 1;  // March test cost
  int write_latency_cycles = 1;
  /// The memory the March test runs on, given the true stuck cells (mitigation.defect_map:
  /// march). Empty: a plain FaultyCellArray holding them. The cycle engine passes its
  /// NvmWeightBank here, so the test runs on the bank's cells (CycleEngine::march_test()).
  std::function<MarchResult(const DefectMap& truth)> march;
};

/// Geometry of the configured NVM for words of `word_bits` cells: nvm.banks banks of word lines
/// of `word_line_cells` cells (whole words), capacity nvm.capacity_kib.
///   NvmTarget t{nvm_geometry(cfg.accelerator.nvm, 8, 1024)};
BankGeometry nvm_geometry(const NvmConfig& nvm, int word_bits, int word_line_cells);

/// The address map (docs/faults.md): array layers in QuantModel order, each a contiguous run of
/// words in row-major [o][k] order starting where the previous layer ended; with SEC-DED groups
/// of G words each layer is padded to whole groups (padding words hold value 0).
std::vector<LayerSpan> weight_address_map(const QuantModel& qm, int group_words);

/// Lays the weights out, draws (or loads) the stuck cells with the stream (stuck_at.seed or
/// `seed`, trial, "weight_stuck_at"), encodes every weight with mitigation.scheme knowing the
/// oracle or March-discovered map, applies the stuck bits, then the transient weight flips
/// (stream (bitflip.seed or `seed`, trial, "weight_bitflip")). Activation flips are not applied
/// here (the engines draw them per image). Throws UserError on a bad combination or a misfit map.
///   DeploymentStats st;
///   DeployedWeights d = deploy(qm, cfg.faults, cfg.mitigation, cfg.seed, /*trial=*/0, &st);
///   int32_t w = d.read_path.decode_int(d.stored[layer][o * K + k]);
DeployedWeights deploy(const QuantModel& qm, const FaultsConfig& faults,
                       const MitigationConfig& mitigation, uint64_t seed, uint64_t trial,
                       DeploymentStats* stats, const NvmTarget& nvm = {});

/// The true stuck cells deploy() uses for this (config, seed, trial): same draw, same geometry.
DefectMap deployment_defect_map(const QuantModel& qm, const FaultsConfig& faults,
                                const MitigationConfig& mitigation, uint64_t seed, uint64_t trial,
                                const NvmTarget& nvm = {});

}  // namespace safsim
